using System.Runtime.InteropServices;
using RobeGen.Cuda.Native;

namespace RobeGen.Cuda.Blas;

/// <summary>The few cuBLAS v2 entry points we call (cublas_api.h). Column-major, as cuBLAS is.</summary>
internal static unsafe partial class CuBlasNative
{
    public const int OpN = 0; // CUBLAS_OP_N
    public const int OpT = 1; // CUBLAS_OP_T
    public const int DefaultMath = 0; // CUBLAS_DEFAULT_MATH: full FP32
    public const int Tf32TensorOpMath = 3; // CUBLAS_TF32_TENSOR_OP_MATH
    public const int ComputeFp32 = 68; // CUBLAS_COMPUTE_32F
    public const int ComputeFp32FastTf32 = 77; // CUBLAS_COMPUTE_32F_FAST_TF32
    public const int DataFp32 = 0; // CUDA_R_32F
    public const int GemmDefaultAlgo = -1; // CUBLAS_GEMM_DEFAULT

    [LibraryImport(CudaNativeLibraries.CuBlas, EntryPoint = "cublasCreate_v2")]
    public static partial CuBlasStatus Create(out IntPtr handle);

    [LibraryImport(CudaNativeLibraries.CuBlas, EntryPoint = "cublasDestroy_v2")]
    public static partial CuBlasStatus Destroy(IntPtr handle);

    [LibraryImport(CudaNativeLibraries.CuBlas, EntryPoint = "cublasGetVersion_v2")]
    public static partial CuBlasStatus GetVersion(IntPtr handle, out int version);

    [LibraryImport(CudaNativeLibraries.CuBlas, EntryPoint = "cublasSetStream_v2")]
    public static partial CuBlasStatus SetStream(IntPtr handle, IntPtr stream);

    [LibraryImport(CudaNativeLibraries.CuBlas, EntryPoint = "cublasSetMathMode")]
    public static partial CuBlasStatus SetMathMode(IntPtr handle, int mode);

    [LibraryImport(CudaNativeLibraries.CuBlas, EntryPoint = "cublasGemmEx")]
    public static partial CuBlasStatus GemmEx(IntPtr handle, int transa, int transb, int m, int n, int k,
        float* alpha, IntPtr a, int aType, int lda, IntPtr b, int bType, int ldb,
        float* beta, IntPtr c, int cType, int ldc, int computeType, int algo);

    [LibraryImport(CudaNativeLibraries.CuBlas, EntryPoint = "cublasGemmStridedBatchedEx")]
    public static partial CuBlasStatus GemmStridedBatchedEx(IntPtr handle, int transa, int transb, int m, int n, int k,
        float* alpha, IntPtr a, int aType, int lda, long strideA, IntPtr b, int bType, int ldb, long strideB,
        float* beta, IntPtr c, int cType, int ldc, long strideC, int batchCount, int computeType, int algo);
}

/// <summary>cublasStatus_t, with the names of cublas_api.h.</summary>
internal enum CuBlasStatus
{
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_ARCH_MISMATCH = 8,
    CUBLAS_STATUS_MAPPING_ERROR = 11,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_INTERNAL_ERROR = 14,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
    CUBLAS_STATUS_LICENSE_ERROR = 16,
}

/// <summary>A cuBLAS call that did not return CUBLAS_STATUS_SUCCESS.</summary>
internal sealed class CuBlasException : Exception
{
    public CuBlasException(string call, CuBlasStatus status)
        : base($"{call} failed with {(Enum.IsDefined(status) ? status.ToString() : $"cuBLAS status {(int)status}")}{Hint(status)}")
    {
        Call = call;
        Status = status;
    }

    public string Call { get; }
    public CuBlasStatus Status { get; }

    internal static void ThrowIfFailed(CuBlasStatus status, string call)
    {
        if (status != CuBlasStatus.CUBLAS_STATUS_SUCCESS) throw new CuBlasException(call, status);
    }

    private static string Hint(CuBlasStatus status) => status switch
    {
        CuBlasStatus.CUBLAS_STATUS_NOT_INITIALIZED => " (no CUDA context current on this thread, or the driver/toolkit versions do not match)",
        CuBlasStatus.CUBLAS_STATUS_ALLOC_FAILED => " (GPU memory is exhausted)",
        CuBlasStatus.CUBLAS_STATUS_INVALID_VALUE => " (a size or leading dimension is invalid)",
        _ => "",
    };
}
