using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using RobeGen.Cuda.Native;
using RobeGen.Data;

namespace RobeGen.Cuda;

/// <summary>
/// Moves each batch to the device once, overlapped with the work on the previous one. Two slots alternate, each a
/// page-locked host staging area and device buffers: the host fills staging slot k while the GPU may still compute on
/// the other; the copy engine moves it on a stream of its own (CUDA), and the compute stream waits for that copy with
/// an event, not the host. Before a slot's device buffers are overwritten, the copy stream waits until the compute stream
/// has released them (<see cref="Release"/>). Tokens that all fit 32 bits travel as 32 bits (half the bytes) and are
/// widened on the device.
/// </summary>
internal sealed class BatchUploader : IDisposable
{
    private readonly GpuDevice _device;
    private readonly AcceleratorStream _copyStream;
    private readonly bool _ownsCopyStream;
    private readonly Slot[] _slots;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<uint>, ArrayView<ulong>> _widen;
    private int _next;
    private Slot? _current;

    public BatchUploader(GpuDevice device, DeviceMemory memory, int capacity, int denseFeatures, int tables)
    {
        _device = device;
        Capacity = capacity;
        DenseFeatures = denseFeatures;
        Tables = tables;
        // ILGPU's CPU accelerator runs everything in order on its default stream: nothing to overlap there.
        _ownsCopyStream = device.IsCuda;
        _copyStream = device.IsCuda ? device.Accelerator.CreateStream() : device.Stream;
        _slots = [new Slot(device, memory, capacity, denseFeatures, tables, 0), new Slot(device, memory, capacity, denseFeatures, tables, 1)];
        _widen = device.Accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<uint>, ArrayView<ulong>>(Widen);
    }

    public int Capacity { get; }
    public int DenseFeatures { get; }
    public int Tables { get; }
    /// <summary>The last uploaded batch's labels, dense features and tokens on the device (valid until that slot is reused).</summary>
    public ArrayView<float> Labels => Current.Labels.View;
    public ArrayView<float> Dense => Current.Dense.View;
    public ArrayView<ulong> Tokens => Current.Tokens.View;

    private Slot Current => _current ?? throw new InvalidOperationException("No batch has been uploaded yet.");

    /// <summary>Queues the upload of <paramref name="batch"/>'s valid rows (labels only when <paramref name="withLabels"/>); the
    /// compute stream's next work sees them. The batch's arrays may be reused as soon as this returns.</summary>
    public void Upload(Batch batch, bool withLabels)
    {
        if (batch.Count < 1 || batch.Count > Capacity)
            throw new ArgumentOutOfRangeException(nameof(batch), batch.Count, $"batch rows must be 1..{Capacity} (ModelOptions.MaxBatchSize)");
        if (batch.DenseFeatures != DenseFeatures || batch.Tables != Tables)
            throw new ArgumentException($"The batch has {batch.DenseFeatures} dense features and {batch.Tables} tables; the model expects {DenseFeatures} and {Tables}.", nameof(batch));

        Slot slot = _slots[_next];
        _next ^= 1;
        _current = slot;
        slot.WaitUntilCopied(_device); // the staging area is free again
        int tokens = batch.Count * Tables;
        bool narrow = TokenStaging.Stage(batch, withLabels, slot.StagingDense, slot.StagingLabels, slot.StagingTokens, slot.StagingNarrow);

        slot.CopyWaitsForRelease(_copyStream);
        Copy(slot.StagingDense, slot.Dense.View, batch.DenseSpan.Length);
        if (withLabels) Copy(slot.StagingLabels, slot.Labels.View, batch.Count);
        if (narrow) Copy(slot.StagingNarrow, slot.Narrow.View, tokens);
        else Copy(slot.StagingTokens, slot.Tokens.View, tokens);
        slot.MarkCopied(_device, _copyStream);
        if (narrow) _widen(_device.Stream, tokens, slot.Narrow.View, slot.Tokens.View);
    }

    /// <summary>Marks the end of the compute work that reads the last uploaded slot (queue it after that work).</summary>
    public void Release() => Current.MarkReleased(_device);

    private void Copy<T>(PageLockedArray1D<T> staging, ArrayView<T> target, int length) where T : unmanaged
    {
        if (length == 0) return;
        target.SubView(0, length).CopyFrom(_copyStream, staging.ArrayView.SubView(0, length));
    }

    private static void Widen(Index1D i, ArrayView<uint> narrow, ArrayView<ulong> wide) => wide[i] = narrow[i];

    public void Dispose()
    {
        foreach (var slot in _slots) slot.Dispose();
        if (_ownsCopyStream) _copyStream.Dispose();
    }

    private sealed class Slot : IDisposable
    {
        private readonly CudaEvent? _copied;
        private readonly CudaEvent? _released;

        public Slot(GpuDevice device, DeviceMemory memory, int capacity, int denseFeatures, int tables, int index)
        {
            long tokens = Math.Max(1L, (long)capacity * tables);
            Labels = memory.Allocate<float>($"batch.labels[{index}]", capacity);
            Dense = memory.Allocate<float>($"batch.dense[{index}]", (long)capacity * denseFeatures);
            Tokens = memory.Allocate<ulong>($"batch.tokens[{index}]", tokens);
            Narrow = memory.Allocate<uint>($"batch.tokens32[{index}]", tokens);
            StagingLabels = device.Accelerator.AllocatePageLocked1D<float>(capacity);
            StagingDense = device.Accelerator.AllocatePageLocked1D<float>(Math.Max(1L, (long)capacity * denseFeatures));
            StagingTokens = device.Accelerator.AllocatePageLocked1D<ulong>(tokens);
            StagingNarrow = device.Accelerator.AllocatePageLocked1D<uint>(tokens);
            if (device.IsCuda)
            {
                _copied = new CudaEvent();
                _released = new CudaEvent();
            }
        }

        public MemoryBuffer1D<float, Stride1D.Dense> Labels { get; }
        public MemoryBuffer1D<float, Stride1D.Dense> Dense { get; }
        public MemoryBuffer1D<ulong, Stride1D.Dense> Tokens { get; }
        public MemoryBuffer1D<uint, Stride1D.Dense> Narrow { get; }
        public PageLockedArray1D<float> StagingLabels { get; }
        public PageLockedArray1D<float> StagingDense { get; }
        public PageLockedArray1D<ulong> StagingTokens { get; }
        public PageLockedArray1D<uint> StagingNarrow { get; }

        public void WaitUntilCopied(GpuDevice device)
        {
            if (_copied is not null) _copied.Wait();
            else device.Synchronize(); // CPU accelerator: no events; its streams are cheap to drain
        }

        public void CopyWaitsForRelease(AcceleratorStream copyStream) => _released?.MakeStreamWait(((CudaStream)copyStream).StreamPtr);

        /// <summary>The copies are queued: the compute stream waits for them before its next work.</summary>
        public void MarkCopied(GpuDevice device, AcceleratorStream copyStream)
        {
            if (_copied is null) return;
            _copied.Record(((CudaStream)copyStream).StreamPtr);
            _copied.MakeStreamWait(((CudaStream)device.Stream).StreamPtr);
        }

        public void MarkReleased(GpuDevice device) => _released?.Record(((CudaStream)device.Stream).StreamPtr);

        public void Dispose()
        {
            _copied?.Dispose();
            _released?.Dispose();
            StagingLabels.Dispose();
            StagingDense.Dispose();
            StagingTokens.Dispose();
            StagingNarrow.Dispose();
        }
    }
}

/// <summary>Host side of the upload: the batch into page-locked staging, tokens as 32 bits when they all fit.</summary>
internal static class TokenStaging
{
    /// <summary>Rows per parallel staging chunk: a large batch is several MB, which one thread copies slower than the GPU computes on it.</summary>
    private const int RowsPerChunk = 2048;

    /// <summary>Copies the batch into staging (in parallel for large batches); true when the tokens went to the 32-bit area.</summary>
    public static bool Stage(Batch batch, bool withLabels, PageLockedArray1D<float> dense, PageLockedArray1D<float> labels,
        PageLockedArray1D<ulong> wide, PageLockedArray1D<uint> narrow)
    {
        int rows = batch.Count, chunks = (rows + RowsPerChunk - 1) / RowsPerChunk;
        int features = batch.DenseFeatures, tables = batch.Tables;
        int fits = 1;
        void Chunk(int c)
        {
            int first = c * RowsPerChunk, count = Math.Min(RowsPerChunk, rows - first);
            batch.Dense.AsSpan(first * features, count * features).CopyTo(dense.Span.Slice(first * features));
            if (withLabels) batch.Labels.AsSpan(first, count).CopyTo(labels.Span.Slice(first));
            if (!TryNarrow(batch.Tokens.AsSpan(first * tables, count * tables), narrow.Span.Slice(first * tables))) Volatile.Write(ref fits, 0);
        }
        if (chunks == 1) Chunk(0);
        else Parallel.For(0, chunks, Chunk);
        if (fits == 1) return true;
        batch.TokenSpan.CopyTo(wide.Span);
        return false;
    }

    /// <summary>Copies <paramref name="tokens"/> into <paramref name="narrow"/> as 32-bit values; false (the copy is then partial and
    /// must be ignored) when one of them needs more than 32 bits.</summary>
    public static bool TryNarrow(ReadOnlySpan<ulong> tokens, Span<uint> narrow)
    {
        ulong any = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            ulong token = tokens[i];
            any |= token;
            narrow[i] = (uint)token;
        }
        return any <= uint.MaxValue;
    }
}
