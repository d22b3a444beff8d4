using ILGPU;
using ILGPU.Runtime.Cuda;
using RobeGen.Cuda.Native;

namespace RobeGen.Cuda;

/// <summary>
/// Answers "can this process use a CUDA GPU?" without throwing: DeviceKind.Auto asks it and falls back to the CPU
/// with <see cref="CudaProbeResult.Reason"/> as the notice.
/// </summary>
internal static class CudaAvailability
{
    private static readonly Lazy<CudaProbeResult> Cached = new(ProbeOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Probes once per process: driver library, then an ILGPU CUDA device. Never throws.</summary>
    public static CudaProbeResult Probe() => Cached.Value;

    private static CudaProbeResult ProbeOnce()
    {
        try
        {
            CudaNativeLibraries.EnsureInstalled();
            if (CudaNativeLibraries.TryLoadDriver() == IntPtr.Zero)
                return CudaProbeResult.Unavailable("no CUDA driver: libcuda.so.1 was not found (no NVIDIA driver on this machine)");

            using var context = Context.Create(b => b.Cuda());
            var devices = context.GetCudaDevices();
            if (devices.Count == 0)
                return CudaProbeResult.Unavailable("the CUDA driver is installed but reports no usable GPU (check CUDA_VISIBLE_DEVICES and nvidia-smi)");
            return new CudaProbeResult(true, $"CUDA GPU found: {devices[0].Name}", devices[0].Name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return CudaProbeResult.Unavailable($"CUDA could not be initialized: {e.GetType().Name}: {FirstLine(e.Message)}");
        }
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOfAny(['\r', '\n']);
        return newline < 0 ? text : text[..newline];
    }
}

/// <summary>Outcome of <see cref="CudaAvailability.Probe"/>: whether CUDA works, a one-line reason, and the GPU's name
/// (deconstructs as <c>var (ok, reason, deviceName) = CudaAvailability.Probe();</c>).</summary>
internal readonly record struct CudaProbeResult(bool Ok, string Reason, string DeviceName)
{
    public static CudaProbeResult Unavailable(string reason) => new(false, reason, "");
}
