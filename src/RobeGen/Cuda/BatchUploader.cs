using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using RobeGen.Cuda.Native;
using RobeGen.Data;

namespace RobeGen.Cuda;

/// <summary>
/// Moves each batch to the device once: the host copies it into page-locked staging memory, the copy engine moves
/// it asynchronously on the model's stream. Two staging slots alternate, so the host fills one while the device
/// may still be reading the other; a CUDA event per slot says when a slot is free again.
/// </summary>
internal sealed class BatchUploader : IDisposable
{
    private readonly GpuDevice _device;
    private readonly Slot[] _slots;
    private int _next;

    public BatchUploader(GpuDevice device, DeviceMemory memory, int capacity, int denseFeatures, int tables)
    {
        _device = device;
        Capacity = capacity;
        DenseFeatures = denseFeatures;
        Tables = tables;
        Labels = memory.Allocate<float>("batch.labels", capacity);
        Dense = memory.Allocate<float>("batch.dense", (long)capacity * denseFeatures);
        Tokens = memory.Allocate<ulong>("batch.tokens", (long)capacity * tables);
        _slots = [new Slot(device, capacity, denseFeatures, tables), new Slot(device, capacity, denseFeatures, tables)];
    }

    public int Capacity { get; }
    public int DenseFeatures { get; }
    public int Tables { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> Labels { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> Dense { get; }
    public MemoryBuffer1D<ulong, Stride1D.Dense> Tokens { get; }

    /// <summary>Queues the upload of <paramref name="batch"/>'s valid rows; labels only when <paramref name="withLabels"/>.</summary>
    public void Upload(Batch batch, bool withLabels)
    {
        if (batch.Count < 1 || batch.Count > Capacity)
            throw new ArgumentOutOfRangeException(nameof(batch), batch.Count, $"batch rows must be 1..{Capacity} (ModelOptions.MaxBatchSize)");
        if (batch.DenseFeatures != DenseFeatures || batch.Tables != Tables)
            throw new ArgumentException($"The batch has {batch.DenseFeatures} dense features and {batch.Tables} tables; the model expects {DenseFeatures} and {Tables}.", nameof(batch));

        Slot slot = _slots[_next];
        _next ^= 1;
        slot.WaitUntilFree(_device);
        int rows = batch.Count;
        var stream = _device.Stream;
        CopyThroughStaging(batch.DenseSpan, slot.Dense, Dense.View, stream);
        CopyThroughStaging(batch.TokenSpan, slot.Tokens, Tokens.View, stream);
        if (withLabels) CopyThroughStaging(batch.LabelSpan, slot.Labels, Labels.View, stream);
        slot.MarkInUse(_device);
    }

    private static void CopyThroughStaging<T>(ReadOnlySpan<T> source, PageLockedArray1D<T> staging, ArrayView<T> target, AcceleratorStream stream)
        where T : unmanaged
    {
        if (source.Length == 0) return;
        source.CopyTo(staging.Span);
        target.SubView(0, source.Length).CopyFrom(stream, staging.ArrayView.SubView(0, source.Length));
    }

    public void Dispose()
    {
        foreach (var slot in _slots) slot.Dispose();
    }

    private sealed class Slot : IDisposable
    {
        private readonly CudaEvent? _copied;

        public Slot(GpuDevice device, int capacity, int denseFeatures, int tables)
        {
            Labels = device.Accelerator.AllocatePageLocked1D<float>(capacity);
            Dense = device.Accelerator.AllocatePageLocked1D<float>(Math.Max(1L, (long)capacity * denseFeatures));
            Tokens = device.Accelerator.AllocatePageLocked1D<ulong>(Math.Max(1L, (long)capacity * tables));
            if (device.IsCuda) _copied = new CudaEvent();
        }

        public PageLockedArray1D<float> Labels { get; }
        public PageLockedArray1D<float> Dense { get; }
        public PageLockedArray1D<ulong> Tokens { get; }

        public void WaitUntilFree(GpuDevice device)
        {
            if (_copied is not null) _copied.Wait();
            else device.Synchronize(); // CPU accelerator: no events; its streams are cheap to drain
        }

        public void MarkInUse(GpuDevice device)
        {
            if (_copied is not null) _copied.Record(((CudaStream)device.Stream).StreamPtr);
        }

        public void Dispose()
        {
            _copied?.Dispose();
            Labels.Dispose();
            Dense.Dispose();
            Tokens.Dispose();
        }
    }
}
