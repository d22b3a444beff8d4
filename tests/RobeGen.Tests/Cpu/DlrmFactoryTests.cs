using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

public sealed class DlrmFactoryTests
{
    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Auto)]
    public void Cpu_and_auto_build_the_cpu_backend(DeviceKind device)
    {
        using IDlrmBackend backend = Dlrm.Create(TestModel.Tiny(), new ModelOptions { Device = device, MaxBatchSize = 4, Threads = 1 });
        Assert.IsType<CpuDlrmBackend>(backend);
        Assert.StartsWith("CPU (1 threads", backend.DeviceName);
        Assert.Equal(11, backend.Layout.RobeSlots);
    }

    [Fact]
    public void Cuda_is_refused_with_a_clear_message()
    {
        var error = Assert.Throws<NotSupportedException>(() => Dlrm.Create(TestModel.Tiny(), new ModelOptions { Device = DeviceKind.Cuda }));
        Assert.Contains("CUDA backend is not available", error.Message);
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
