using RobeGen.Cpu;

namespace RobeGen.Backends;

/// <summary>Builds a runnable model from a generated definition on the device the options ask for.</summary>
public static class Dlrm
{
    /// <summary>
    /// Creates the backend for <paramref name="definition"/>: the CPU backend for <see cref="DeviceKind.Cpu"/> and
    /// <see cref="DeviceKind.Auto"/> (this build has no CUDA backend yet).
    /// </summary>
    public static IDlrmBackend Create(IDlrmDefinition definition, ModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        options ??= new ModelOptions();
        return options.Device switch
        {
            DeviceKind.Cpu or DeviceKind.Auto => new CpuDlrmBackend(definition, options),
            DeviceKind.Cuda => throw new NotSupportedException(
                "DeviceKind.Cuda was requested, but the CUDA backend is not available in this build; use DeviceKind.Cpu or DeviceKind.Auto."),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Device, "Unknown device kind."),
        };
    }
}
