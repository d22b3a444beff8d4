using RobeGen.Cpu.Gemm;

namespace RobeGen.Cpu.Layers;

/// <summary>
/// Cat: the output row is x0 = [u, E_1, .., E_T] (width d (T+1)); backward splits dL/dx0 back into dL/du and dL/dE.
/// In memory a sample's E rows are already consecutive, so a row is u's d floats followed by a copy of T d floats.
/// <see cref="CrossInteraction"/> forms its x0 with the same two copies.
/// </summary>
internal sealed unsafe class ConcatInteraction(int dim, int tables) : FeatureInteraction
{
    public override int Width => dim * (tables + 1);

    public override void ForwardRows(int first, int count, int worker, Sgemm gemm) =>
        Concat(Bottom, Embeddings, Output, dim, tables, first, count);

    public override void BackwardRows(int first, int count, int worker, Sgemm gemm) =>
        Split(OutputGrad, BottomGrad, EmbeddingGrad, dim, tables, first, count);

    /// <summary>Rows [first, first + count) of x = [u, E] from u [B, d] and E [B, T, d].</summary>
    public static void Concat(float* u, float* e, float* x, int dim, int tables, int first, int count)
    {
        int width = dim * (tables + 1), embedded = dim * tables;
        for (long b = first; b < first + count; b++)
        {
            new ReadOnlySpan<float>(u + b * dim, dim).CopyTo(new Span<float>(x + b * width, dim));
            new ReadOnlySpan<float>(e + b * embedded, embedded).CopyTo(new Span<float>(x + b * width + dim, embedded));
        }
    }

    /// <summary>Rows [first, first + count) of dx = [du, dE] into du [B, d] and dE [B, T, d] (overwritten).</summary>
    public static void Split(float* dx, float* du, float* de, int dim, int tables, int first, int count)
    {
        int width = dim * (tables + 1), embedded = dim * tables;
        for (long b = first; b < first + count; b++)
        {
            new ReadOnlySpan<float>(dx + b * width, dim).CopyTo(new Span<float>(du + b * dim, dim));
            new ReadOnlySpan<float>(dx + b * width + dim, embedded).CopyTo(new Span<float>(de + b * embedded, embedded));
        }
    }
}
