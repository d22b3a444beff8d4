using System.Globalization;

namespace RobeGen.Backends;

/// <summary>
/// Refuses a model whose weights and optimizer state cannot fit in the memory this process may use, before anything is
/// allocated: a forged checkpoint or a mistyped --slots should be one clear error, not minutes of swapping and an
/// out-of-memory abort. The CPU backend holds the state on the host from the start; the CUDA backend draws its embedding
/// on the device and needs the host to hold the state only when it exports it whole (ONNX export, checks; checkpoints
/// stream it through a small buffer instead), where it checks the same.
/// </summary>
internal static class ModelMemory
{
    /// <summary>The bytes the model's tensors take on the host: parameters, and as much again for Adagrad's accumulators.</summary>
    public static long StateBytes(EmbeddingLayout layout, ModelOptions options)
    {
        long parameters = checked(layout.TotalParameters + layout.Declaration.MlpParameterCount);
        return checked(parameters * sizeof(float) * (options.Optimizer == OptimizerKind.Adagrad ? 2 : 1));
    }

    public static void ThrowIfTooLarge(EmbeddingLayout layout, ModelOptions options, long? availableBytes = null)
    {
        long available = availableBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long needed;
        try
        {
            needed = StateBytes(layout, options);
        }
        catch (OverflowException)
        {
            needed = long.MaxValue;
        }
        if (needed > available)
        {
            CultureInfo inv = CultureInfo.InvariantCulture;
            throw new InsufficientMemoryException(
                string.Format(inv, "The model needs {0:N2} GiB for its weights and optimizer state ({1:N0} embedding parameters); ", needed / (double)(1L << 30),
                    layout.TotalParameters) +
                string.Format(inv, "this process may use {0:N2} GiB. Choose a smaller model (more compression, fewer slots or rows).",
                    available / (double)(1L << 30)));
        }
    }
}
