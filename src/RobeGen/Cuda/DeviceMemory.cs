using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace RobeGen.Cuda;

/// <summary>The device could not hold a tensor: names it and its size, so the user knows what to shrink.</summary>
public sealed class GpuOutOfMemoryException : Exception
{
    /// <summary>The GPU could not allocate <paramref name="bytes"/> bytes for <paramref name="tensor"/> (<paramref name="inner"/>: the
    /// allocation's failure; null when the model was refused before allocating, its needs being above the free memory).</summary>
    public GpuOutOfMemoryException(string tensor, long bytes, long? freeBytes, string deviceName, Exception? inner = null)
        : base($"Out of GPU memory on {deviceName}: tensor '{tensor}' needs {Format(bytes)} ({bytes:N0} bytes)" +
               (freeBytes is long free ? $" but only {Format(free)} ({free:N0} bytes) are free" : "") +
               ". Lower the batch size (ModelOptions.MaxBatchSize), the ROBE array size or the rows of Full tables.", inner)
    {
        Tensor = tensor;
        Bytes = bytes;
        FreeBytes = freeBytes;
    }

    /// <summary>The tensor that did not fit.</summary>
    public string Tensor { get; }
    /// <summary>The bytes it needed.</summary>
    public long Bytes { get; }
    /// <summary>The device's free bytes when it was refused (null when the device cannot tell).</summary>
    public long? FreeBytes { get; }

    private static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.00} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        _ => $"{bytes} bytes",
    };
}

/// <summary>
/// Allocates every device buffer of one model, each under a name, and frees them together. An allocation the device
/// cannot satisfy becomes a <see cref="GpuOutOfMemoryException"/> naming the tensor.
/// </summary>
internal sealed class DeviceMemory : IDisposable
{
    private readonly GpuDevice _device;
    private readonly List<MemoryBuffer> _buffers = new();

    public DeviceMemory(GpuDevice device) => _device = device;

    /// <summary>The device the buffers live on.</summary>
    public GpuDevice Device => _device;

    /// <summary>Bytes allocated so far.</summary>
    public long AllocatedBytes { get; private set; }

    public MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(string tensor, long length) where T : unmanaged
    {
        long bytes = Math.Max(1, length) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        try
        {
            var buffer = _device.Accelerator.Allocate1D<T>(Math.Max(1, length));
            _buffers.Add(buffer);
            AllocatedBytes += bytes;
            return buffer;
        }
        catch (Exception e) when (IsOutOfMemory(e))
        {
            throw new GpuOutOfMemoryException(tensor, bytes, _device.FreeMemory, _device.Name, e);
        }
    }

    /// <summary>Frees one buffer before the others (a <see cref="GrowableDeviceBuffer{T}"/> replacing it by a larger one).</summary>
    public void Free<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer) where T : unmanaged
    {
        if (!_buffers.Remove(buffer)) throw new InvalidOperationException("The buffer was not allocated here.");
        AllocatedBytes -= buffer.LengthInBytes;
        buffer.Dispose();
    }

    private static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException || e is CudaException { Error: nameof(CudaError.CUDA_ERROR_OUT_OF_MEMORY) } ||
        e.InnerException is { } inner && IsOutOfMemory(inner);

    public void Dispose()
    {
        foreach (var buffer in _buffers) buffer.Dispose();
        _buffers.Clear();
    }
}
