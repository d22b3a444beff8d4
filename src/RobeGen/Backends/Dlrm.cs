using RobeGen.Cpu;
using RobeGen.Cuda;

namespace RobeGen.Backends;

/// <summary>Builds a runnable model from a generated definition on the device the options ask for.</summary>
public static class Dlrm
{
    /// <summary>
    /// Creates the backend for <paramref name="definition"/>: the CPU backend for <see cref="DeviceKind.Cpu"/>, the
    /// CUDA backend for <see cref="DeviceKind.Cuda"/> (an error when there is no usable GPU), and for
    /// <see cref="DeviceKind.Auto"/> CUDA when a GPU is usable, else the CPU with a one-line notice naming why
    /// (written to <paramref name="notice"/>, standard error when null).
    /// </summary>
    public static IDlrmBackend Create(IDlrmDefinition definition, ModelOptions? options = null, Action<string>? notice = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        options ??= new ModelOptions();
        switch (options.Device)
        {
            case DeviceKind.Cpu:
                return new CpuDlrmBackend(definition, options);
            case DeviceKind.Cuda:
                var (ok, reason, _) = CudaAvailability.Probe();
                if (!ok) throw new NotSupportedException($"DeviceKind.Cuda was requested, but the CUDA backend is not available on this machine: {reason}. Use DeviceKind.Cpu or DeviceKind.Auto.");
                return CudaDlrmBackend.Create(definition, options);
            case DeviceKind.Auto:
                var probe = CudaAvailability.Probe();
                if (probe.Ok) return CudaDlrmBackend.Create(definition, options);
                (notice ?? Console.Error.WriteLine)($"robegen: no CUDA GPU ({probe.Reason}); running on the CPU.");
                return new CpuDlrmBackend(definition, options);
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Device, "Unknown device kind.");
        }
    }
}
