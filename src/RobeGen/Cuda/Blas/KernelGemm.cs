using ILGPU;
using ILGPU.Runtime;

namespace RobeGen.Cuda.Blas;

/// <summary>
/// A plain ILGPU GEMM (one thread per output element, a straight loop over k): what runs the products on ILGPU's
/// CPU accelerator in tests, where cuBLAS does not exist, and an independent cross-check of the cuBLAS binding
/// on the GPU. Not meant to be fast.
/// </summary>
internal sealed class KernelGemm : IGpuGemm
{
    private readonly AcceleratorStream _stream;
    private readonly Action<AcceleratorStream, Index2D, GemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>> _kernel;

    public KernelGemm(Accelerator accelerator, AcceleratorStream stream)
    {
        _stream = stream;
        _kernel = accelerator.LoadAutoGroupedKernel<Index2D, GemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GemmKernel);
    }

    public string Name => "ILGPU reference GEMM";

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ArrayView<float> a, int lda,
        ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc) =>
        GemmStridedBatched(transA, transB, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1);

    public void GemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha,
        ArrayView<float> a, int lda, long strideA, ArrayView<float> b, int ldb, long strideB,
        float beta, ArrayView<float> c, int ldc, long strideC, int batchCount)
    {
        GemmArguments.Validate(transA, transB, m, n, k, a.Length, lda, strideA, b.Length, ldb, strideB, c.Length, ldc, strideC, batchCount);
        if (m == 0 || n == 0) return;
        var shape = new GemmShape(m, n, k, lda, ldb, ldc, strideA, strideB, strideC, alpha, beta, transA ? 1 : 0, transB ? 1 : 0);
        _kernel(_stream, new Index2D(m * n, batchCount), shape, a, b, c);
    }

    public void Dispose() { }

    internal readonly record struct GemmShape(int M, int N, int K, int Lda, int Ldb, int Ldc,
        long StrideA, long StrideB, long StrideC, float Alpha, float Beta, int TransA, int TransB);

    private static void GemmKernel(Index2D index, GemmShape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        int row = index.X / s.N, col = index.X % s.N;
        long aBase = index.Y * s.StrideA, bBase = index.Y * s.StrideB;
        float sum = 0f;
        for (int p = 0; p < s.K; p++)
        {
            float av = s.TransA != 0 ? a[aBase + (long)p * s.Lda + row] : a[aBase + (long)row * s.Lda + p];
            float bv = s.TransB != 0 ? b[bBase + (long)col * s.Ldb + p] : b[bBase + (long)p * s.Ldb + col];
            sum += av * bv;
        }
        long ci = index.Y * s.StrideC + (long)row * s.Ldc + col;
        // beta == 0 must ignore C entirely (it may hold NaN garbage), as BLAS does.
        c[ci] = s.Beta == 0f ? s.Alpha * sum : s.Alpha * sum + s.Beta * c[ci];
    }
}
