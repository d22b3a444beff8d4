using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Cuda;
using RobeGen.Devices;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

public sealed class DlrmFactoryTests
{
    [Fact]
    public void Cpu_builds_the_cpu_backend()
    {
        using IDlrmBackend backend = Dlrm.Create(TestModel.Tiny(), new ModelOptions { Device = DeviceKind.Cpu, MaxBatchSize = 4, Threads = 1 });
        Assert.IsType<CpuDlrmBackend>(backend);
        Assert.StartsWith("CPU (1 threads", backend.DeviceName);
        Assert.Equal(11, backend.Layout.RobeSlots);
    }

    [Fact]
    public void Without_a_driver_cuda_is_refused_in_one_line_and_auto_falls_back_to_the_cpu_with_a_notice()
    {
        CudaProbeResult probe = CudaAvailability.Probe();
        if (probe.Ok) return; // a GPU machine: the CUDA equivalence checks cover it (robegen check --device cuda)

        var error = Assert.Throws<InvalidOperationException>(() => Dlrm.Create(TestModel.Tiny(), new ModelOptions { Device = DeviceKind.Cuda }));
        Assert.StartsWith("CUDA is not available: ", error.Message);
        Assert.Contains(probe.Reason, error.Message);
        Assert.DoesNotContain('\n', error.Message);

        var notices = new List<string>();
        using IDlrmBackend backend = Dlrm.Create(TestModel.Tiny(), new ModelOptions { Device = DeviceKind.Auto, MaxBatchSize = 4 }, notices.Add);
        Assert.IsType<CpuDlrmBackend>(backend);
        Assert.Equal([$"CUDA not available ({probe.Reason}); running on the CPU."], notices);

        // Without a notice callback the library stays silent: it never writes to the user's console itself.
        TextWriter stderr = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            using IDlrmBackend quiet = Dlrm.Create(TestModel.Tiny(), new ModelOptions { Device = DeviceKind.Auto, MaxBatchSize = 4 });
        }
        finally
        {
            Console.SetError(stderr);
        }
        Assert.Equal("", captured.ToString());
    }

    [Fact]
    public void Embedding_overrides_reach_the_layout()
    {
        using IDlrmBackend backend = Dlrm.Create(TestModel.Tiny(), new ModelOptions
        {
            MaxBatchSize = 4,
            Embedding = new EmbeddingOverrides { RobeSlots = 64, BlockSize = 4 },
        });
        Assert.Equal(64, backend.Layout.RobeSlots);
        Assert.Equal(64, backend.ExportState()["embedding"].Length);
        Assert.Equal(4, backend.Layout.BlockSize);
    }
}
