using Microsoft.Extensions.Logging;
using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Cuda;

namespace RobeGen.Devices;

/// <summary>Builds a runnable model from a generated definition on the device the options ask for.</summary>
public static class Dlrm
{
    /// <summary>
    /// Creates the backend for <paramref name="definition"/>: <see cref="DeviceKind.Cpu"/> is plain C#;
    /// <see cref="DeviceKind.Cuda"/> needs an NVIDIA driver and GPU (a one-line error says what is missing);
    /// <see cref="DeviceKind.Auto"/> takes CUDA when the probe finds it and the CPU otherwise, telling
    /// <paramref name="notice"/> why (or, without one, <see cref="ModelOptions.Logger"/>). A model whose state exceeds the
    /// memory this process may use is refused with an <see cref="InsufficientMemoryException"/> before anything is allocated on
    /// the CPU; on CUDA the embedding is drawn on the device, and one that exceeds the GPU's free memory is refused with a
    /// <see cref="GpuOutOfMemoryException"/> naming the bytes needed and free (the host must hold the state only to export it).
    /// </summary>
    public static IDlrmBackend Create(IDlrmDefinition definition, ModelOptions? options = null, Action<string>? notice = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        options ??= new ModelOptions();
        EmbeddingLayout layout = EmbeddingLayout.FromDeclaration(definition.Declaration, options.Embedding);
        switch (options.Device)
        {
            case DeviceKind.Cpu:
                ModelMemory.ThrowIfTooLarge(layout, options);
                return new CpuDlrmBackend(definition, options);
            case DeviceKind.Cuda:
                return CreateCuda(definition, options);
            case DeviceKind.Auto:
                CudaProbeResult probe = CudaAvailability.Probe();
                if (probe.Ok) return CreateCuda(definition, options);
                string message = $"CUDA not available ({probe.Reason}); running on the CPU.";
                if (notice is not null) notice(message);
                else options.Logger.LogWarning("{Notice}", message);
                ModelMemory.ThrowIfTooLarge(layout, options);
                return new CpuDlrmBackend(definition, options);
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Device, "Unknown device kind.");
        }
    }

    private static IDlrmBackend CreateCuda(IDlrmDefinition definition, ModelOptions options)
    {
        if (options.Precision == Precision.Int8)
            throw new NotSupportedException("Int8 inference runs on the CPU backend only; on CUDA choose Fp32, Tf32 or Bf16.");
        // Deterministic gradients are asked for to repeat a run bit for bit, in another process too (a resume).
        GpuDevice device = GpuDevice.CreateCuda(reproducibleGemm: options.DeterministicGradients);
        try
        {
            // The embedding is drawn on the device (no host copy): Full tables of any size the GPU holds.
            return CudaDlrmBackend.CreateInitialized(definition, options, device, ownsDevice: true);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }
}
