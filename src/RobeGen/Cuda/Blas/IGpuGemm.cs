using ILGPU;

namespace RobeGen.Cuda.Blas;

/// <summary>
/// Single-precision GEMM on the device, in ROW-MAJOR terms (the layout of every tensor in this project):
/// C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C. op(X) is X or its transpose; a matrix's leading
/// dimension is its row stride (elements between the starts of two consecutive stored rows). Calls are queued on
/// the device's stream and return without waiting.
/// </summary>
internal interface IGpuGemm : IDisposable
{
    /// <summary>What runs the products, e.g. "cuBLAS 13.0 (FP32)".</summary>
    string Name { get; }

    void Gemm(bool transA, bool transB, int m, int n, int k,
        float alpha, ArrayView<float> a, int lda, ArrayView<float> b, int ldb,
        float beta, ArrayView<float> c, int ldc);

    /// <summary>
    /// <paramref name="batchCount"/> independent products; product i reads A at i * strideA, B at i * strideB and
    /// writes C at i * strideC (strides in elements).
    /// </summary>
    void GemmStridedBatched(bool transA, bool transB, int m, int n, int k,
        float alpha, ArrayView<float> a, int lda, long strideA, ArrayView<float> b, int ldb, long strideB,
        float beta, ArrayView<float> c, int ldc, long strideC, int batchCount);
}

/// <summary>Host-side argument checks shared by every GEMM: a wrong leading dimension or a short view fails here, not in memory.</summary>
internal static class GemmArguments
{
    public static void Validate(bool transA, bool transB, int m, int n, int k,
        long aLength, int lda, long strideA, long bLength, int ldb, long strideB,
        long cLength, int ldc, long strideC, int batchCount)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must be >= 0 (m={m}, n={n}, k={k}).");
        if (batchCount < 1) throw new ArgumentOutOfRangeException(nameof(batchCount), batchCount, "at least one product");
        CheckMatrix("A", transA ? k : m, transA ? m : k, aLength, lda, strideA, batchCount);
        CheckMatrix("B", transB ? n : k, transB ? k : n, bLength, ldb, strideB, batchCount);
        CheckMatrix("C", m, n, cLength, ldc, strideC, batchCount);
    }

    private static void CheckMatrix(string name, int rows, int cols, long length, int ld, long stride, int batchCount)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentException($"GEMM: leading dimension of {name} ({ld}) is smaller than its stored row length ({cols}).");
        long needed = (long)(rows - 1) * ld + cols + (long)(batchCount - 1) * stride;
        if (needed > length)
            throw new ArgumentException($"GEMM: {name} needs {needed} elements ({rows}x{cols}, ld {ld}, {batchCount} x stride {stride}) but the view has {length}.");
    }
}
