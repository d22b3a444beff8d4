using RobeGen.Cuda;

namespace RobeGen.Tests.Cuda;

public class CudaAvailabilityTests
{
    [Fact]
    public void Probe_answers_without_throwing_and_explains_itself()
    {
        var (ok, reason, deviceName) = CudaAvailability.Probe();
        Assert.False(string.IsNullOrWhiteSpace(reason));
        Assert.DoesNotContain('\n', reason);
        if (ok) Assert.False(string.IsNullOrWhiteSpace(deviceName));
        else Assert.Equal("", deviceName);
    }

    [Fact]
    public void Without_a_driver_the_reason_names_it()
    {
        if (File.Exists("/dev/nvidiactl") || Directory.Exists("/proc/driver/nvidia")) return; // a GPU machine: nothing to show here
        var (ok, reason, _) = CudaAvailability.Probe();
        Assert.False(ok);
        Assert.Contains("libcuda", reason);
        Assert.Contains("CUDA is not available", Assert.Throws<InvalidOperationException>(() => GpuDevice.CreateCuda()).Message);
    }
}
