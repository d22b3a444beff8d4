namespace RobeGen;

/// <summary>
/// The one place that decides which embedding kernels run a layout, for both backends: the declaration's generated
/// ones when they were generated for it (<see cref="EmbeddingLayout.MatchesDeclaredKernels"/>: its storage and Z), the
/// generic hand-written ones for a run-time override.
/// </summary>
internal static class EmbeddingKernelSelector
{
    public static IEmbeddingKernels Cpu(IDlrmDefinition definition, EmbeddingLayout layout) =>
        layout.MatchesDeclaredKernels ? definition.Embedding : GenericEmbeddingKernels.Instance;

    public static IGpuEmbeddingKernels Gpu(IDlrmDefinition definition, EmbeddingLayout layout) =>
        layout.MatchesDeclaredKernels ? definition.GpuEmbedding : new GenericGpuEmbeddingKernels(layout);
}
