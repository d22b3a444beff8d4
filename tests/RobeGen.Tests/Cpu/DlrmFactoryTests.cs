using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Cuda;
using RobeGen.Devices;
using RobeGen.Tests.Models;
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
    }

    [Fact]
    public void Without_a_notice_the_fallback_goes_to_the_logger_and_nothing_to_the_console()
    {
        if (CudaAvailability.Probe().Ok) return;
        var logger = new RecordingLogger();
        TextWriter stderr = Console.Error, stdout = Console.Out;
        var console = new StringWriter();
        Console.SetError(console);
        Console.SetOut(console);
        try
        {
            using IDlrmBackend backend = Dlrm.Create(TestModel.Tiny(), new ModelOptions { Device = DeviceKind.Auto, MaxBatchSize = 4, Logger = logger });
        }
        finally
        {
            Console.SetError(stderr);
            Console.SetOut(stdout);
        }
        Assert.Equal("", console.ToString());
        (Microsoft.Extensions.Logging.LogLevel level, string message) = Assert.Single(logger.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, level);
        Assert.StartsWith("CUDA not available (", message);
    }

    private sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<(Microsoft.Extensions.Logging.LogLevel, string)> Entries { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) => Entries.Add((logLevel, formatter(state, exception)));
    }

    [Fact]
    public void Auto_treats_a_multi_hot_model_like_any_other()
    {
        // Multi-hot models run on CUDA too: auto takes it when the probe finds it, and otherwise falls back with the
        // usual notice (none about the bags).
        CudaProbeResult probe = CudaAvailability.Probe();
        if (probe.Ok) return; // a GPU machine: MultiHotCudaBackendTests cover the backend itself
        var notices = new List<string>();
        using IDlrmBackend backend = Dlrm.Create(MultiHotAuthors.Definition, new ModelOptions { Device = DeviceKind.Auto, MaxBatchSize = 4, Threads = 1 }, notices.Add);
        Assert.IsType<CpuDlrmBackend>(backend);
        Assert.Equal([$"CUDA not available ({probe.Reason}); running on the CPU."], notices);
        var error = Assert.Throws<InvalidOperationException>(() => Dlrm.Create(MultiHotAuthors.Definition, new ModelOptions { Device = DeviceKind.Cuda }));
        Assert.StartsWith("CUDA is not available: ", error.Message);
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
