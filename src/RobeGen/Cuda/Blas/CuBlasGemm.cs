using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using RobeGen.Cuda.Native;

namespace RobeGen.Cuda.Blas;

/// <summary>
/// <see cref="IGpuGemm"/> on cuBLAS, bound to one ILGPU CUDA stream. cuBLAS is column-major: a row-major matrix
/// with leading dimension ld is, in the same memory, the column-major transpose. So row-major
/// C = op(A) op(B) is computed as column-major C^T = op(B)^T op(A)^T: swap the operands and m with n, keep the
/// transposition flags and leading dimensions.
/// </summary>
internal sealed unsafe class CuBlasGemm : IGpuGemm
{
    private readonly CudaAccelerator _accelerator;
    private readonly int _computeType;
    private readonly CudaStream _stream;
    private readonly bool _reproducible;
    private CuBlasLtMatmul? _lt;
    private IntPtr _handle;

    /// <param name="accelerator">The GPU.</param>
    /// <param name="stream">The stream every product is queued on.</param>
    /// <param name="allowTf32">Whether the F32 GEMMs may run on TF32 tensor cores.</param>
    /// <param name="reproducible">cuBLASLt products pick their algorithms the same way in every process (see
    /// <see cref="CuBlasLtMatmul"/>); cuBLAS's own GEMMs already do: it allows no atomics by default.</param>
    public CuBlasGemm(CudaAccelerator accelerator, CudaStream stream, bool allowTf32, bool reproducible = false)
    {
        _reproducible = reproducible;
        CudaNativeLibraries.EnsureInstalled();
        if (CudaNativeLibraries.TryLoadCuBlas() == IntPtr.Zero)
            throw new DllNotFoundException($"cuBLAS was not found (tried {CudaNativeLibraries.CuBlasCandidateList}); install the CUDA 12 or 13 runtime libraries.");
        _accelerator = accelerator;
        _stream = stream;
        // cuBLAS runs in the calling thread's current CUDA context: it must be ILGPU's.
        accelerator.Bind();
        CuBlasException.ThrowIfFailed(CuBlasNative.Create(out _handle), "cublasCreate_v2");
        CuBlasException.ThrowIfFailed(CuBlasNative.SetStream(_handle, stream.StreamPtr), "cublasSetStream_v2");
        CuBlasException.ThrowIfFailed(CuBlasNative.SetMathMode(_handle, allowTf32 ? CuBlasNative.Tf32TensorOpMath : CuBlasNative.DefaultMath), "cublasSetMathMode");
        _computeType = allowTf32 ? CuBlasNative.ComputeFp32FastTf32 : CuBlasNative.ComputeFp32;
        CuBlasException.ThrowIfFailed(CuBlasNative.GetVersion(_handle, out int version), "cublasGetVersion_v2");
        Version = version;
        Name = $"cuBLAS {version / 10000}.{version / 100 % 100}.{version % 100} ({(allowTf32 ? "TF32" : "FP32")}{(reproducible ? ", reproducible algorithms" : "")})";
    }

    /// <summary>cublasGetVersion: major * 10000 + minor * 100 + patch.</summary>
    public int Version { get; }
    public string Name { get; }

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ArrayView<float> a, int lda,
        ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc)
    {
        GemmArguments.Validate(transA, transB, m, n, k, a.Length, lda, 0, b.Length, ldb, 0, c.Length, ldc, 0, 1);
        if (m == 0 || n == 0) return;
        ThrowIfDisposed();
        _accelerator.Bind();
        CuBlasException.ThrowIfFailed(CuBlasNative.GemmEx(_handle, Op(transB), Op(transA), n, m, k,
            &alpha, Pointer(b), CuBlasNative.DataFp32, Math.Max(1, ldb), Pointer(a), CuBlasNative.DataFp32, Math.Max(1, lda),
            &beta, Pointer(c), CuBlasNative.DataFp32, Math.Max(1, ldc), _computeType, CuBlasNative.GemmDefaultAlgo), "cublasGemmEx");
    }

    public void GemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha,
        ArrayView<float> a, int lda, long strideA, ArrayView<float> b, int ldb, long strideB,
        float beta, ArrayView<float> c, int ldc, long strideC, int batchCount)
    {
        GemmArguments.Validate(transA, transB, m, n, k, a.Length, lda, strideA, b.Length, ldb, strideB, c.Length, ldc, strideC, batchCount);
        if (m == 0 || n == 0) return;
        ThrowIfDisposed();
        _accelerator.Bind();
        CuBlasException.ThrowIfFailed(CuBlasNative.GemmStridedBatchedEx(_handle, Op(transB), Op(transA), n, m, k,
            &alpha, Pointer(b), CuBlasNative.DataFp32, Math.Max(1, ldb), strideB, Pointer(a), CuBlasNative.DataFp32, Math.Max(1, lda), strideA,
            &beta, Pointer(c), CuBlasNative.DataFp32, Math.Max(1, ldc), strideC, batchCount, _computeType, CuBlasNative.GemmDefaultAlgo),
            "cublasGemmStridedBatchedEx");
    }

    /// <inheritdoc/>
    public void Matmul(bool transA, bool transB, int m, int n, int k, float alpha, DeviceMatrix a, int lda, DeviceMatrix b, int ldb,
        float beta, DeviceMatrix c, int ldc, GemmEpilogue epilogue = GemmEpilogue.None, DeviceMatrix bias = default, bool tf32 = false)
    {
        GemmArguments.ValidateMatmul(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, epilogue, bias);
        if (m == 0 || n == 0) return;
        ThrowIfDisposed();
        // cuBLASLt is loaded on first use, so FP32 models run where only libcublas is installed.
        _lt ??= new CuBlasLtMatmul(_accelerator, _stream, _reproducible);
        _lt.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue, bias, tf32);
    }

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        _lt?.Dispose();
        _accelerator.Bind();
        CuBlasNative.Destroy(_handle);
        _handle = IntPtr.Zero;
    }

    private static int Op(bool transpose) => transpose ? CuBlasNative.OpT : CuBlasNative.OpN;

    private static IntPtr Pointer(ArrayView<float> view) => view.Length == 0 ? IntPtr.Zero : view.LoadEffectiveAddressAsPtr();

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
}
