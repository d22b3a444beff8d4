using ILGPU;

namespace RobeGen.Cuda.Kernels;

/// <summary>
/// Shapes of the Cat and DcnV2 interactions: x0 = [u, E_1, .., E_T] of width D = d (T + 1), stored with rows padded to a
/// multiple of 8 columns (the padding columns of x0 are zeros; the other [rows, D] tensors leave theirs unused).
/// </summary>
internal readonly record struct ConcatShape(int Dim, int Tables)
{
    public int Width => Dim * (Tables + 1);
    public int Stride => InteractionShape.PadTo8(Width);
    /// <summary>Row stride of u and du (the bottom MLP's output).</summary>
    public int UStride => InteractionShape.PadTo8(Dim);
}

/// <summary>
/// The elementwise kernels of the Cat and DcnV2 interactions (docs/model-math.md); their products are GEMMs
/// (<see cref="Blas.IGpuGemm.Matmul"/>). One thread per element; element i of a [rows, Width] tensor is at row i / Width,
/// column i % Width, stored at row * Stride + column.
/// </summary>
internal static class ConcatKernels
{
    /// <summary>x0[b] = [u[b], E[b, 0], .., E[b, T-1], 0...] in x0's precision: one thread per stored element (padding
    /// columns get zeros).</summary>
    public static void Assemble(Index1D i, ConcatShape s, Activations u, ArrayView<float> embeddings, Activations x0)
    {
        int stride = s.Stride, d = s.Dim;
        int row = i / stride, c = i - row * stride;
        float value = 0f;
        if (c < d) value = u.Load((long)row * s.UStride + c);
        else if (c < s.Width) value = embeddings[(long)row * s.Tables * d + c - d];
        x0.Store(i, value);
    }

    /// <summary>
    /// dL/dx0 = <paramref name="gradX0"/> (plus <paramref name="extra"/> when <paramref name="addExtra"/> != 0) split into
    /// du (masked by u &gt; 0, the bottom MLP's last ReLU) and dE (times <paramref name="embeddingScale"/>: the fused SGD
    /// passes -lr). One thread per element of [rows, Width].
    /// </summary>
    public static void Split(Index1D i, ConcatShape s, Activations gradX0, ArrayView<float> extra, int addExtra, Activations u,
        Activations gradU, ArrayView<float> gradEmbeddings, float embeddingScale)
    {
        int width = s.Width, d = s.Dim;
        int row = i / width, c = i - row * width;
        long at = (long)row * s.Stride + c;
        float g = gradX0.Load(at);
        if (addExtra != 0) g += extra[at];
        if (c < d)
        {
            long ui = (long)row * s.UStride + c;
            gradU.Store(ui, u.Load(ui) > 0f ? g : 0f);
        }
        else gradEmbeddings[(long)row * s.Tables * d + c - d] = embeddingScale * g;
    }

    /// <summary>
    /// A cross layer's output x_{l+1} = x0 * y + x_l, summed in F32 from x0 and y (each in the activation precision) and
    /// x_l (x0 itself on the first layer, else the F32 running sum), stored into <paramref name="next"/> (the F32 x_{l+1},
    /// or the top MLP's input in its precision after the last layer) and, when <paramref name="writeCopy"/> != 0, rounded
    /// into <paramref name="copy"/> (a BF16 model's GEMM operand for the next layer).
    /// </summary>
    public static void CrossCombine(Index1D i, ConcatShape s, Activations x0, Activations y, Activations x, Activations next,
        ArrayView<ushort> copy, int writeCopy)
    {
        int width = s.Width;
        int row = i / width, c = i - row * width;
        long at = (long)row * s.Stride + c;
        float value = x0.Load(at) * y.Load(at) + x.Load(at);
        next.Store(at, value);
        if (writeCopy != 0) copy[at] = Bf16.FromFloat(value);
    }

    /// <summary>
    /// A cross layer's elementwise backward from g = dL/dx_{l+1}: dy = x0 * g (stored in dy's precision), and dL/dx0
    /// (through the product) gathers y * g: dx0 = y * g on the first layer visited (<paramref name="accumulate"/> = 0),
    /// dx0 += y * g after. A bf16 g (a BF16 model's dL/dR, on the last layer) is also widened into the F32
    /// <paramref name="gradInput"/> the GEMMs then accumulate dL/dx_l in; an F32 g already is that buffer.
    /// </summary>
    public static void CrossBackward(Index1D i, ConcatShape s, Activations x0, Activations y, Activations g,
        ArrayView<float> gradInput, Activations dy, ArrayView<float> dx0, int accumulate)
    {
        int width = s.Width;
        int row = i / width, c = i - row * width;
        long at = (long)row * s.Stride + c;
        float gv = g.Load(at);
        if (g.IsBf16 != 0) gradInput[at] = gv;
        dy.Store(at, x0.Load(at) * gv);
        float through = y.Load(at) * gv;
        dx0[at] = accumulate != 0 ? dx0[at] + through : through;
    }
}
