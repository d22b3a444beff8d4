using ILGPU;
using ILGPU.Runtime;
using RobeGen.Cuda.Kernels;

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

    private readonly Action<AcceleratorStream, Index1D, MatmulShape, MatmulOperands> _matmul;
    // Stand-ins for the views of the type an operand does not have (kernels take every view).
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _noFloats;
    private readonly MemoryBuffer1D<ushort, Stride1D.Dense> _noBf16;

    public KernelGemm(Accelerator accelerator, AcceleratorStream stream)
    {
        _stream = stream;
        _kernel = accelerator.LoadAutoGroupedKernel<Index2D, GemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GemmKernel);
        _matmul = accelerator.LoadAutoGroupedKernel<Index1D, MatmulShape, MatmulOperands>(MatmulKernel);
        _noFloats = accelerator.Allocate1D<float>(1);
        _noBf16 = accelerator.Allocate1D<ushort>(1);
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

    /// <inheritdoc/>
    public void Matmul(bool transA, bool transB, int m, int n, int k, float alpha, DeviceMatrix a, int lda, DeviceMatrix b, int ldb,
        float beta, DeviceMatrix c, int ldc, GemmEpilogue epilogue = GemmEpilogue.None, DeviceMatrix bias = default, bool tf32 = false)
    {
        GemmArguments.ValidateMatmul(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, epilogue, bias);
        if (m == 0 || n == 0) return;
        var shape = new MatmulShape(m, n, k, lda, ldb, ldc, alpha, beta, transA ? 1 : 0, transB ? 1 : 0,
            (int)a.Type, (int)b.Type, (int)c.Type, (int)epilogue);
        var operands = new MatmulOperands(F32Of(a), Bf16Of(a), F32Of(b), Bf16Of(b), F32Of(c), Bf16Of(c), F32Of(bias), Bf16Of(bias));
        _matmul(_stream, new Index1D(m * n), shape, operands);
    }

    private ArrayView<float> F32Of(DeviceMatrix x) => x.Type == ElementType.F32 && !x.IsEmpty ? x.F32 : _noFloats.View;
    private ArrayView<ushort> Bf16Of(DeviceMatrix x) => x.Type == ElementType.Bf16 && !x.IsEmpty ? x.Bf16 : _noBf16.View;

    public void Dispose()
    {
        _noFloats.Dispose();
        _noBf16.Dispose();
    }

    internal readonly record struct MatmulShape(int M, int N, int K, int Lda, int Ldb, int Ldc, float Alpha, float Beta,
        int TransA, int TransB, int TypeA, int TypeB, int TypeC, int Epilogue);

    internal readonly struct MatmulOperands
    {
        public MatmulOperands(ArrayView<float> aF, ArrayView<ushort> aB, ArrayView<float> bF, ArrayView<ushort> bB,
            ArrayView<float> cF, ArrayView<ushort> cB, ArrayView<float> biasF, ArrayView<ushort> biasB)
        {
            AF = aF; AB = aB; BF = bF; BB = bB; CF = cF; CB = cB; BiasF = biasF; BiasB = biasB;
        }
        public readonly ArrayView<float> AF, BF, CF, BiasF;
        public readonly ArrayView<ushort> AB, BB, CB, BiasB;
    }

    /// <summary>The mixed-precision reference: operands widened exactly to F32, an F32 sum, the epilogue, one rounding to a bf16 C.</summary>
    private static void MatmulKernel(Index1D index, MatmulShape s, MatmulOperands o)
    {
        int row = index.X / s.N, col = index.X % s.N;
        float sum = 0f;
        for (int p = 0; p < s.K; p++)
        {
            long ai = s.TransA != 0 ? (long)p * s.Lda + row : (long)row * s.Lda + p;
            long bi = s.TransB != 0 ? (long)col * s.Ldb + p : (long)p * s.Ldb + col;
            float av = s.TypeA == (int)ElementType.F32 ? o.AF[ai] : Kernels.Bf16.ToFloat(o.AB[ai]);
            float bv = s.TypeB == (int)ElementType.F32 ? o.BF[bi] : Kernels.Bf16.ToFloat(o.BB[bi]);
            sum += av * bv;
        }
        long ci = (long)row * s.Ldc + col;
        float value = s.Alpha * sum;
        if (s.Beta != 0f) value += s.Beta * (s.TypeC == (int)ElementType.F32 ? o.CF[ci] : Kernels.Bf16.ToFloat(o.CB[ci]));
        if (s.Epilogue != (int)GemmEpilogue.None) value += s.TypeC == (int)ElementType.F32 ? o.BiasF[col] : Kernels.Bf16.ToFloat(o.BiasB[col]);
        if (s.Epilogue == (int)GemmEpilogue.BiasRelu && !(value > 0f)) value = 0f;
        if (s.TypeC == (int)ElementType.F32) o.CF[ci] = value;
        else o.CB[ci] = Kernels.Bf16.FromFloat(value);
    }

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
