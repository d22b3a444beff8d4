using System.Reflection;
using System.Runtime.InteropServices;

namespace RobeGen.Cuda.Native;

/// <summary>
/// Makes the CUDA driver and cuBLAS loadable on machines that only ship versioned sonames. ILGPU imports a
/// library named "cuda", which on Linux resolves to libcuda.so - a name that exists only with the CUDA developer
/// packages; drivers ship libcuda.so.1. Our own cuBLAS binding imports "cublas" and wants the newest ABI present.
/// </summary>
internal static class CudaNativeLibraries
{
    /// <summary>Library name our cuBLAS imports use; resolved to the first of <see cref="CuBlasCandidates"/> that loads.</summary>
    public const string CuBlas = "robegen_cublas";

    /// <summary>Library name our cuBLASLt imports use (the mixed-precision GEMMs with fused epilogues); it ships beside cuBLAS.</summary>
    public const string CuBlasLt = "robegen_cublaslt";

    /// <summary>Library name of our few direct driver-API imports (events); resolved like ILGPU's "cuda".</summary>
    public const string Driver = "robegen_cuda";

    private static readonly string[] DriverCandidates = OperatingSystem.IsWindows()
        ? ["nvcuda.dll"]
        : ["libcuda.so.1", "libcuda.so", "/usr/local/nvidia/lib64/libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib/wsl/lib/libcuda.so.1"];

    // cuBLAS keeps its API stable across these majors for the calls we make (v2 entry points, GemmEx with cublasComputeType_t).
    private static readonly string[] CuBlasCandidates = OperatingSystem.IsWindows()
        ? ["cublas64_13.dll", "cublas64_12.dll"]
        : ["libcublas.so.13", "libcublas.so.12", "/usr/local/cuda/lib64/libcublas.so.13", "/usr/local/cuda/lib64/libcublas.so.12"];

    private static readonly string[] CuBlasLtCandidates = OperatingSystem.IsWindows()
        ? ["cublasLt64_13.dll", "cublasLt64_12.dll"]
        : ["libcublasLt.so.13", "libcublasLt.so.12", "/usr/local/cuda/lib64/libcublasLt.so.13", "/usr/local/cuda/lib64/libcublasLt.so.12"];

    private static readonly object Gate = new();
    private static bool _installed;
    private static IntPtr _driver;
    private static IntPtr _cublas;
    private static IntPtr _cublasLt;

    /// <summary>Installs the resolvers once per process (idempotent, thread-safe).</summary>
    public static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (_installed) return;
            _installed = true;
            TryInstall(typeof(ILGPU.Context).Assembly, ResolveIlgpu);
            TryInstall(typeof(CudaNativeLibraries).Assembly, ResolveOurs);
        }
    }

    /// <summary>Loads the CUDA driver library; null when no candidate loads.</summary>
    public static IntPtr TryLoadDriver() => _driver != IntPtr.Zero ? _driver : _driver = TryLoadFirst(DriverCandidates);

    /// <summary>Loads cuBLAS; null when no candidate loads.</summary>
    public static IntPtr TryLoadCuBlas() => _cublas != IntPtr.Zero ? _cublas : _cublas = TryLoadFirst(CuBlasCandidates);

    /// <summary>Loads cuBLASLt; null when no candidate loads.</summary>
    public static IntPtr TryLoadCuBlasLt() => _cublasLt != IntPtr.Zero ? _cublasLt : _cublasLt = TryLoadFirst(CuBlasLtCandidates);

    public static string CuBlasLtCandidateList => string.Join(", ", CuBlasLtCandidates);

    public static string CuBlasCandidateList => string.Join(", ", CuBlasCandidates);

    private static void TryInstall(Assembly assembly, DllImportResolver resolver)
    {
        try
        {
            NativeLibrary.SetDllImportResolver(assembly, resolver);
        }
        catch (InvalidOperationException)
        {
            // The assembly already has a resolver (ILGPU installs one of its own under WSL); keep it.
        }
    }

    private static IntPtr ResolveIlgpu(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "cuda" && name != "nvcuda") return IntPtr.Zero; // everything else: default probing
        return TryLoadDriver();
    }

    private static IntPtr ResolveOurs(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name switch
        {
            CuBlas => TryLoadCuBlas(),
            CuBlasLt => TryLoadCuBlasLt(),
            Driver => TryLoadDriver(),
            _ => IntPtr.Zero,
        };

    private static IntPtr TryLoadFirst(string[] candidates)
    {
        foreach (string candidate in candidates)
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle)) return handle;
        return IntPtr.Zero;
    }
}
