using System.Runtime.InteropServices;

namespace RobeGen.Cuda.Native;

/// <summary>
/// A CUDA event (driver API; ILGPU 1.5 exposes events only through its profiling mode). Lets the host wait for one
/// point of a stream - e.g. "this staging buffer has been copied" - instead of draining the whole stream.
/// </summary>
internal sealed partial class CudaEvent : IDisposable
{
    private const uint DisableTiming = 2; // CU_EVENT_DISABLE_TIMING: cheaper, we only wait on it
    private IntPtr _handle;
    private bool _recorded;

    public CudaEvent()
    {
        CudaNativeLibraries.EnsureInstalled();
        Check(cuEventCreate(out _handle, DisableTiming), "cuEventCreate");
    }

    /// <summary>Marks the current end of <paramref name="stream"/> (a CUstream).</summary>
    public void Record(IntPtr stream)
    {
        Check(cuEventRecord(_handle, stream), "cuEventRecord");
        _recorded = true;
    }

    /// <summary>Blocks until the stream has passed the last <see cref="Record"/> (returns at once if never recorded).</summary>
    public void Wait()
    {
        if (_recorded) Check(cuEventSynchronize(_handle), "cuEventSynchronize");
    }

    /// <summary>Makes <paramref name="stream"/> (a CUstream) wait on the device until the event's last record has passed (no host wait;
    /// nothing to wait for when never recorded).</summary>
    public void MakeStreamWait(IntPtr stream)
    {
        if (_recorded) Check(cuStreamWaitEvent(stream, _handle, 0), "cuStreamWaitEvent");
    }

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        cuEventDestroy_v2(_handle);
        _handle = IntPtr.Zero;
    }

    private static void Check(int result, string call)
    {
        if (result != 0) throw new InvalidOperationException($"{call} failed with CUDA driver error {result}.");
    }

    [LibraryImport(CudaNativeLibraries.Driver)] private static partial int cuEventCreate(out IntPtr handle, uint flags);
    [LibraryImport(CudaNativeLibraries.Driver)] private static partial int cuEventRecord(IntPtr handle, IntPtr stream);
    [LibraryImport(CudaNativeLibraries.Driver)] private static partial int cuEventSynchronize(IntPtr handle);
    [LibraryImport(CudaNativeLibraries.Driver)] private static partial int cuEventDestroy_v2(IntPtr handle);
    [LibraryImport(CudaNativeLibraries.Driver)] private static partial int cuStreamWaitEvent(IntPtr stream, IntPtr handle, uint flags);
}
