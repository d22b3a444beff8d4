using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using RobeGen.Cuda.Blas;
using RobeGen.Cuda.Native;

namespace RobeGen.Cuda;

/// <summary>
/// One ILGPU accelerator with the stream every operation of a model is queued on, and the GEMM that goes with it:
/// cuBLAS on a CUDA GPU, the ILGPU reference GEMM on ILGPU's CPU accelerator (which exists so that the very same
/// kernels run in CI without a GPU; it is far too slow for real work).
/// </summary>
internal sealed class GpuDevice : IDisposable
{
    private readonly Context _context;
    private bool _disposed;

    private GpuDevice(Context context, Accelerator accelerator, bool allowTf32, bool reproducibleGemm = false)
    {
        _context = context;
        Accelerator = accelerator;
        if (accelerator is CudaAccelerator cuda)
        {
            IsCuda = true;
            var stream = (CudaStream)cuda.DefaultStream;
            Stream = stream;
            Gemm = new CuBlasGemm(cuda, stream, allowTf32, reproducibleGemm);
            Name = cuda.Name;
        }
        else
        {
            Stream = accelerator.DefaultStream;
            Gemm = new KernelGemm(accelerator, Stream);
            Name = $"ILGPU CPU accelerator ({accelerator.Name})";
        }
    }

    public Accelerator Accelerator { get; }
    /// <summary>
    /// The stream every operation of a model goes to: the accelerator's default stream, because the generated
    /// embedding kernels (<see cref="IGpuEmbeddingKernels"/>) are loaded as default-stream kernels and must stay
    /// ordered with ours.
    /// </summary>
    public AcceleratorStream Stream { get; }
    public IGpuGemm Gemm { get; }
    public bool IsCuda { get; }
    /// <summary>The GPU's name (e.g. "NVIDIA H100 80GB HBM3") or the CPU accelerator's.</summary>
    public string Name { get; }

    /// <summary>The CUDA GPU <paramref name="index"/>; throws <see cref="InvalidOperationException"/> with the probe's reason when there is none.</summary>
    /// <param name="index">Which GPU.</param>
    /// <param name="allowTf32">Whether the cuBLAS GEMMs may use TF32.</param>
    /// <param name="reproducibleGemm">Products whose algorithms are picked the same way in every process (deterministic
    /// training: without it, two processes may time two different algorithms fastest and round differently).</param>
    public static GpuDevice CreateCuda(int index = 0, bool allowTf32 = false, bool reproducibleGemm = false)
    {
        var (ok, reason, _) = CudaAvailability.Probe();
        if (!ok) throw new InvalidOperationException($"CUDA is not available: {reason}.");
        CudaNativeLibraries.EnsureInstalled();
        // Cuda() then CPU(), not Default(): GPU images also expose an OpenCL CPU device we never want.
        var context = Context.Create(b => b.Cuda().CPU().EnableAlgorithms().Optimize(OptimizationLevel.O1));
        try
        {
            var devices = context.GetCudaDevices();
            if (index < 0 || index >= devices.Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"there are {devices.Count} CUDA devices");
            return new GpuDevice(context, context.CreateCudaAccelerator(index), allowTf32, reproducibleGemm);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>ILGPU's CPU accelerator: runs the GPU kernels on host threads (tests and CI only).</summary>
    public static GpuDevice CreateCpuSimulator()
    {
        var context = Context.Create(b => b.CPU(CPUDeviceKind.Default).EnableAlgorithms().Optimize(OptimizationLevel.O1));
        try
        {
            return new GpuDevice(context, context.CreateCPUAccelerator(0), allowTf32: false);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Waits until everything queued on <see cref="Stream"/> has run.</summary>
    public void Synchronize() => Stream.Synchronize();

    /// <summary>Free device memory in bytes (null when the accelerator cannot tell).</summary>
    public long? FreeMemory => Accelerator is CudaAccelerator cuda ? cuda.GetFreeMemory() : null;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Gemm.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }
}
