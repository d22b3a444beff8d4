using RobeGen.Cuda;

namespace RobeGen.Tests.Cuda;

/// <summary>One ILGPU CPU accelerator shared by the CUDA tests of a class (creating one costs ~100 ms).</summary>
public sealed class CpuSimulatorFixture : IDisposable
{
    internal GpuDevice Device { get; } = GpuDevice.CreateCpuSimulator();
    public void Dispose() => Device.Dispose();
}
