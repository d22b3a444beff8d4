using RobeGen.Backends;

namespace RobeGen.Cpu.Optimizers;

/// <summary>
/// Updates only the embedding slots the batch read: it walks the recorded block starts, updates each slot from its
/// accumulated gradient and zeroes that gradient right away, so a slot read many times is updated once and nothing
/// of size m is swept per step. The gradient array is therefore all zero between steps.
/// </summary>
internal static class SparseEmbeddingOptimizer
{
    public static void Update(EmbeddingLayout layout, ReadOnlySpan<long> blockStarts, int batch, OptimizerKind optimizer,
        Span<float> weights, Span<float> grad, Span<float> accumulator, float learningRate)
    {
        int tables = layout.TableCount, maxBlocks = layout.MaxBlocks, dim = layout.Dim, z = layout.BlockSize;
        int robeBlocks = layout.RobeBlocks;
        long m = layout.RobeSlots;
        bool wraps = layout.Variant == RobeVariant.Circular;
        bool adagrad = optimizer == OptimizerKind.Adagrad;

        for (int b = 0; b < batch; b++)
        for (int t = 0; t < tables; t++)
        {
            ReadOnlySpan<long> starts = blockStarts.Slice((b * tables + t) * maxBlocks, maxBlocks);
            if (layout.Storage[t] != EmbeddingStorage.Robe)
            {
                // A Full or Hashed row is one block of d slots.
                UpdateRange(starts[0], dim, m, wraps: false, adagrad, weights, grad, accumulator, learningRate);
                continue;
            }
            for (int c = 0; c < robeBlocks; c++)
                UpdateRange(starts[c], Math.Min(z, dim - c * z), m, wraps, adagrad, weights, grad, accumulator, learningRate);
        }
    }

    private static void UpdateRange(long start, int width, long m, bool wraps, bool adagrad,
        Span<float> weights, Span<float> grad, Span<float> accumulator, float learningRate)
    {
        for (int k = 0; k < width; k++)
        {
            long slot = start + k;
            if (wraps && slot >= m) slot -= m;
            ref float g = ref grad[(int)slot];
            if (g == 0f) continue; // never read before in this step, or already updated (and zeroed)
            if (adagrad) DenseOptimizer.AdagradScalar(ref weights[(int)slot], ref accumulator[(int)slot], g, learningRate);
            else weights[(int)slot] -= learningRate * g;
            g = 0f;
        }
    }
}
