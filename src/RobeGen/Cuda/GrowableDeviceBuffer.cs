using ILGPU;
using ILGPU.Runtime;

namespace RobeGen.Cuda;

/// <summary>
/// A device buffer whose needed length is known only per batch (a multi-hot batch's ids, their block-start records and
/// gradient pairs): allocated for a first guess, replaced by one at least twice as large when a batch needs more. Growing
/// waits for every stream of the device first, since queued work may still read the old buffer; it happens only when a
/// batch holds more ids than any before, so steady-state training never waits here.
/// </summary>
internal sealed class GrowableDeviceBuffer<T> where T : unmanaged
{
    private readonly GpuDevice _device;
    private readonly DeviceMemory _memory;
    private readonly string _name;
    private MemoryBuffer1D<T, Stride1D.Dense> _buffer;

    public GrowableDeviceBuffer(DeviceMemory memory, string name, long length)
    {
        _device = memory.Device;
        _memory = memory;
        _name = name;
        _buffer = memory.Allocate<T>(name, Math.Max(1, length));
    }

    /// <summary>The whole buffer (read it afresh after <see cref="Ensure"/>: growing replaces it).</summary>
    public ArrayView<T> View => _buffer.View;

    public long Length => _buffer.Length;

    /// <summary>Makes the buffer hold at least <paramref name="length"/> elements (the old contents are not kept).</summary>
    public void Ensure(long length)
    {
        if (length <= _buffer.Length) return;
        _device.Accelerator.Synchronize(); // every stream: the copy stream may be filling it, the compute stream reading it
        _memory.Free(_buffer);
        _buffer = _memory.Allocate<T>(_name, Math.Max(length, 2 * _buffer.Length));
    }
}
