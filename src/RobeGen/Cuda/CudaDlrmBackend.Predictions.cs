using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using RobeGen.Backends;
using RobeGen.Cuda.Native;
using RobeGen.Data;

namespace RobeGen.Cuda;

// Queued predictions (IQueuedPrediction): upload, forward, sigmoid and the copy back of each batch are queued on the
// streams; the host waits only when it reads a result, by then usually long done.
internal sealed partial class CudaDlrmBackend : IQueuedPrediction
{
    private readonly Queue<(ResultSlot Slot, int Rows)> _queuedPredictions = new();
    private ResultSlot[]? _resultSlots;
    private int _nextResultSlot;

    /// <inheritdoc/>
    public int MaxQueuedPredictions => 2;

    /// <inheritdoc/>
    public int QueuedPredictions => _queuedPredictions.Count;

    /// <inheritdoc/>
    public void EnqueuePredict(Batch batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(batch);
        if (_queuedPredictions.Count >= MaxQueuedPredictions)
            throw new InvalidOperationException($"{MaxQueuedPredictions} predictions are queued: read one before queueing another.");
        _device.Accelerator.Bind();
        _resultSlots ??= [new ResultSlot(_device, _options.MaxBatchSize), new ResultSlot(_device, _options.MaxBatchSize)];
        ResultSlot slot = _resultSlots[_nextResultSlot];
        _nextResultSlot = (_nextResultSlot + 1) % _resultSlots.Length;
        UploadBatch(batch, withLabels: false);
        int rows = batch.Count;
        Forward(rows, prediction: true);
        _uploader.Release();
        _t.Probabilities.View.SubView(0, rows).CopyToPageLockedAsync(Stream, slot.Host);
        slot.MarkQueued(_device);
        _queuedPredictions.Enqueue((slot, rows));
    }

    /// <inheritdoc/>
    public int ReadPrediction(Span<float> probabilities)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_queuedPredictions.TryDequeue(out var queued)) throw new InvalidOperationException("No prediction is queued.");
        if (probabilities.Length < queued.Rows)
            throw new ArgumentException($"The output span holds {probabilities.Length} values; the batch has {queued.Rows} rows.", nameof(probabilities));
        _device.Accelerator.Bind();
        queued.Slot.WaitUntilCopied(_device);
        queued.Slot.Host.Span[..queued.Rows].CopyTo(probabilities);
        return queued.Rows;
    }

    /// <inheritdoc/>
    public void Predict(Batch batch, Span<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (probabilities.Length < batch.Count)
            throw new ArgumentException($"The output span holds {probabilities.Length} values; the batch has {batch.Count} rows.", nameof(probabilities));
        if (_queuedPredictions.Count > 0) throw new InvalidOperationException("Read the queued predictions before a synchronous one.");
        EnqueuePredict(batch);
        ReadPrediction(probabilities);
    }

    /// <summary>Page-locked room for one batch's probabilities and the event that says they have arrived.</summary>
    private sealed class ResultSlot : IDisposable
    {
        private readonly CudaEvent? _copied;

        public ResultSlot(GpuDevice device, int capacity)
        {
            Host = device.Accelerator.AllocatePageLocked1D<float>(capacity);
            if (device.IsCuda) _copied = new CudaEvent();
        }

        public PageLockedArray1D<float> Host { get; }

        public void MarkQueued(GpuDevice device) => _copied?.Record(((CudaStream)device.Stream).StreamPtr);

        public void WaitUntilCopied(GpuDevice device)
        {
            if (_copied is not null) _copied.Wait();
            else device.Synchronize();
        }

        public void Dispose()
        {
            _copied?.Dispose();
            Host.Dispose();
        }
    }

    private void DisposeResultSlots()
    {
        if (_resultSlots is null) return;
        foreach (var slot in _resultSlots) slot.Dispose();
    }
}
