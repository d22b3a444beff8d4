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

    /// <summary>
    /// C[m, n] = epilogue(alpha * op(A) op(B) + beta * C) with each operand F32 or bf16 (accumulation in F32): the
    /// mixed-precision GEMM of the BF16 path and the fused bias/ReLU of every MLP layer. <paramref name="bias"/> (length n,
    /// of C's element type, as cuBLASLt wants it) is read by <see cref="GemmEpilogue.Bias"/> and
    /// <see cref="GemmEpilogue.BiasRelu"/>. A bf16 C is rounded to nearest even once, after the epilogue. <paramref name="tf32"/> lets F32 x F32 products run on the tensor
    /// cores in TF32 (the reference GEMM ignores it and stays exact).
    /// </summary>
    void Matmul(bool transA, bool transB, int m, int n, int k,
        float alpha, DeviceMatrix a, int lda, DeviceMatrix b, int ldb,
        float beta, DeviceMatrix c, int ldc, GemmEpilogue epilogue = GemmEpilogue.None, DeviceMatrix bias = default, bool tf32 = false);
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

    /// <summary>The checks of <see cref="Validate"/> for <see cref="IGpuGemm.Matmul"/>, plus the epilogue's bias.</summary>
    public static void ValidateMatmul(bool transA, bool transB, int m, int n, int k, DeviceMatrix a, int lda, DeviceMatrix b, int ldb,
        DeviceMatrix c, int ldc, GemmEpilogue epilogue, DeviceMatrix bias)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, 0, b.Length, ldb, 0, c.Length, ldc, 0, 1);
        if (epilogue == GemmEpilogue.None) return;
        if (bias.Length < n) throw new ArgumentException($"GEMM: the {epilogue} epilogue needs a bias of {n} values; the view has {bias.Length}.");
        if (bias.Type != c.Type) throw new ArgumentException($"GEMM: the bias must be {c.Type} like C (cuBLASLt's rule); it is {bias.Type}.");
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
