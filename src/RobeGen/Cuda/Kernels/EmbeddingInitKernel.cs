using ILGPU;
using ILGPU.Runtime;
using RobeGen.Initialization;

namespace RobeGen.Cuda.Kernels;

/// <summary>
/// Draws the embedding in place on the device: every element i of the flat array gets
/// <see cref="EmbeddingInit.Draw"/>(key, i, ...) of its region, the function the CPU's ModelInitializer calls, so both
/// backends start from the same bits without a host copy of the array. Indices are 64-bit: a region may pass 2^31.
/// </summary>
internal sealed class EmbeddingInitKernel
{
    /// <summary>Threads of one launch; each walks its region with this stride (a region longer than that loops).</summary>
    internal const int LaunchThreads = 1 << 20;

    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, long, long, ulong, float, double, int> _draw;

    public EmbeddingInitKernel(Accelerator accelerator) =>
        _draw = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, long, long, ulong, float, double, int>(Draw);

    /// <summary>Queues the draw of every region of <paramref name="layout"/> under <paramref name="seed"/> into <paramref name="embedding"/>.</summary>
    public void Run(AcceleratorStream stream, ArrayView<float> embedding, EmbeddingLayout layout, int seed, int launchThreads = LaunchThreads)
    {
        if (embedding.Length < layout.TotalParameters)
            throw new ArgumentException($"The embedding view has {embedding.Length} floats; the layout needs {layout.TotalParameters}.", nameof(embedding));
        ulong key = EmbeddingInit.Key(seed);
        foreach (EmbeddingInitRegion region in EmbeddingInit.Regions(layout))
        {
            if (region.Length == 0) continue;
            int threads = (int)Math.Min(region.Length, launchThreads);
            _draw(stream, threads, embedding, region.Start, region.Length, key, region.Center, region.Half, threads);
        }
    }

    /// <summary>Thread t draws elements start + t, start + t + stride, ... below start + length (64-bit indices).</summary>
    private static void Draw(Index1D thread, ArrayView<float> embedding, long start, long length, ulong key, float center, double half, int stride)
    {
        for (long k = thread; k < length; k += stride)
        {
            long index = start + k;
            embedding[index] = EmbeddingInit.Draw(key, index, center, half);
        }
    }
}
