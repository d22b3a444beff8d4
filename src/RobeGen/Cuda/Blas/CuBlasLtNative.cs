using System.Runtime.InteropServices;
using RobeGen.Cuda.Native;

namespace RobeGen.Cuda.Blas;

/// <summary>The cuBLASLt entry points and constants we use (cublasLt.h, CUDA 12/13). Column-major, as cuBLAS is.</summary>
internal static unsafe partial class CuBlasLtNative
{
    // cudaDataType_t
    public const int DataF32 = 0; // CUDA_R_32F
    public const int DataBf16 = 14; // CUDA_R_16BF
    // cublasComputeType_t
    public const int ComputeF32 = 68; // CUBLAS_COMPUTE_32F
    public const int ComputeF32FastTf32 = 77; // CUBLAS_COMPUTE_32F_FAST_TF32
    // cublasLtMatmulDescAttributes_t
    public const int DescTransA = 3;
    public const int DescTransB = 4;
    public const int DescEpilogue = 7;
    public const int DescBiasPointer = 8;
    // cublasLtEpilogue_t
    public const uint EpilogueDefault = 1;
    public const uint EpilogueBias = 4;
    public const uint EpilogueReluBias = 6;
    // cublasLtMatmulPreferenceAttributes_t
    public const int PreferenceMaxWorkspaceBytes = 1;
    public const int PreferenceReductionSchemeMask = 3;
    // cublasLtReductionScheme_t: NONE 0, INPLACE 1 (split-K partial sums added into C with atomics: their order, and so the
    // bits, vary run to run), COMPUTE_TYPE 2 and OUTPUT_TYPE 4 (partial sums in the workspace, reduced in a fixed order).
    public const uint ReductionSchemesInFixedOrder = 2 | 4;

    /// <summary>cublasLtMatmulHeuristicResult_t: the algorithm (64 bytes), its workspace, status and waves.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct HeuristicResult
    {
        public fixed ulong Algo[8];
        public nuint WorkspaceSize;
        public int State;
        public float WavesCount;
        public fixed int Reserved[4];
    }

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtCreate")]
    public static partial CuBlasStatus Create(out IntPtr handle);

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtDestroy")]
    public static partial CuBlasStatus Destroy(IntPtr handle);

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtGetVersion")]
    public static partial nuint GetVersion();

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtMatmulDescCreate")]
    public static partial CuBlasStatus MatmulDescCreate(out IntPtr desc, int computeType, int scaleType);

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtMatmulDescDestroy")]
    public static partial CuBlasStatus MatmulDescDestroy(IntPtr desc);

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtMatmulDescSetAttribute")]
    public static partial CuBlasStatus MatmulDescSetAttribute(IntPtr desc, int attribute, void* value, nuint size);

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtMatrixLayoutCreate")]
    public static partial CuBlasStatus MatrixLayoutCreate(out IntPtr layout, int type, ulong rows, ulong cols, long ld);

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtMatrixLayoutDestroy")]
    public static partial CuBlasStatus MatrixLayoutDestroy(IntPtr layout);

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtMatmulPreferenceCreate")]
    public static partial CuBlasStatus PreferenceCreate(out IntPtr preference);

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtMatmulPreferenceDestroy")]
    public static partial CuBlasStatus PreferenceDestroy(IntPtr preference);

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtMatmulPreferenceSetAttribute")]
    public static partial CuBlasStatus PreferenceSetAttribute(IntPtr preference, int attribute, void* value, nuint size);

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtMatmulAlgoGetHeuristic")]
    public static partial CuBlasStatus AlgoGetHeuristic(IntPtr handle, IntPtr desc, IntPtr a, IntPtr b, IntPtr c, IntPtr d,
        IntPtr preference, int requested, HeuristicResult* results, out int returned);

    [LibraryImport(CudaNativeLibraries.CuBlasLt, EntryPoint = "cublasLtMatmul")]
    public static partial CuBlasStatus Matmul(IntPtr handle, IntPtr desc, float* alpha, IntPtr a, IntPtr aLayout, IntPtr b, IntPtr bLayout,
        float* beta, IntPtr c, IntPtr cLayout, IntPtr d, IntPtr dLayout, void* algo, IntPtr workspace, nuint workspaceBytes, IntPtr stream);
}
