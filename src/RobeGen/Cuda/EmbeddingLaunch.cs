namespace RobeGen.Cuda;

/// <summary>The launch extent of a model's generated gather and scatter.</summary>
internal static class EmbeddingLaunch
{
    /// <summary>Threads for <paramref name="batch"/> samples of <paramref name="tables"/> lookups each.</summary>
    public static int Extent(this IGpuEmbeddingKernels kernels, int batch, int tables) => checked(batch * tables * kernels.ThreadsPerLookup);
}
