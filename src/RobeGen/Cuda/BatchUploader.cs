using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using RobeGen.Backends;
using RobeGen.Cuda.Native;
using RobeGen.Data;

namespace RobeGen.Cuda;

/// <summary>
/// Moves each batch to the device once, overlapped with the work on the previous one. Two slots alternate, each a
/// page-locked host staging area and device buffers: the host fills staging slot k while the GPU may still compute on
/// the other; the copy engine moves it on a stream of its own (CUDA), and the compute stream waits for that copy with
/// an event, not the host. Before a slot's device buffers are overwritten, the copy stream waits until the compute stream
/// has released them (<see cref="Release"/>). Tokens that all fit 32 bits travel as 32 bits (half the bytes) and are
/// widened on the device. For BF16 models the dense features are rounded to bf16 (and padded to 8 columns) while they are
/// staged, so the bottom MLP reads them as they arrive. A multi-hot model's batches travel as bags instead of tokens
/// (<see cref="BagSlot"/>): offsets and ids (32 bits when they fit), and the cell of each id is filled in on the device.
/// </summary>
internal sealed class BatchUploader : IDisposable
{
    private readonly GpuDevice _device;
    private readonly ModelDeclaration _declaration;
    private readonly AcceleratorStream _copyStream;
    private readonly bool _ownsCopyStream;
    private readonly Slot[] _slots;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<uint>, ArrayView<ulong>> _widen;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>> _markCells;
    private int _next;
    private Slot? _current;

    public BatchUploader(GpuDevice device, DeviceMemory memory, int capacity, ModelDeclaration declaration, bool denseAsBf16 = false)
    {
        _declaration = declaration;
        DenseAsBf16 = denseAsBf16;
        DenseFeatures = declaration.DenseFeatures;
        Tables = declaration.TableCount;
        HasBags = declaration.HasMultiHotTables;
        PaddedDenseFeatures = Kernels.InteractionShape.PadTo8(DenseFeatures);
        _device = device;
        Capacity = capacity;
        // ILGPU's CPU accelerator runs everything in order on its default stream: nothing to overlap there.
        _ownsCopyStream = device.IsCuda;
        _copyStream = device.IsCuda ? device.Accelerator.CreateStream() : device.Stream;
        // The first guess at a batch's ids: every cell as full as its table's declared hotness (the buffers grow past it).
        long ids = HasBags ? (long)capacity * declaration.Tables.Sum(t => Math.Max(1, t.Hotness)) : 0;
        _slots = [Slot.Create(device, memory, capacity, DenseFeatures, Tables, 0, denseAsBf16, HasBags, ids),
            Slot.Create(device, memory, capacity, DenseFeatures, Tables, 1, denseAsBf16, HasBags, ids)];
        _widen = device.Accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<uint>, ArrayView<ulong>>(Widen);
        _markCells = device.Accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>>(MarkCells);
    }

    public int Capacity { get; }
    public int DenseFeatures { get; }
    public int Tables { get; }
    /// <summary>Whether batches travel as bags (a model with a multi-hot table) rather than one token per cell.</summary>
    public bool HasBags { get; }
    /// <summary>Whether the dense features are uploaded as bf16 [rows, <see cref="PaddedDenseFeatures"/>] (BF16 models) instead of F32.</summary>
    public bool DenseAsBf16 { get; }
    public int PaddedDenseFeatures { get; }
    /// <summary>The last uploaded batch's dense features as bf16, padded with zeros (when <see cref="DenseAsBf16"/>).</summary>
    public ArrayView<ushort> DenseBf16 => Current.DenseBf16!.View;
    /// <summary>The last uploaded batch's labels, dense features and tokens on the device (valid until that slot is reused).</summary>
    public ArrayView<float> Labels => Current.Labels.View;
    public ArrayView<float> Dense => Current.Dense.View;
    public ArrayView<ulong> Tokens => (Current.Tokens ?? throw new InvalidOperationException("This model's batches hold bags, not tokens.")).View;
    /// <summary>The last uploaded multi-hot batch's bag offsets [rows * T + 1], ids, and the cell of each id.</summary>
    public ArrayView<int> BagOffsets => Bags.Offsets.View;
    public ArrayView<ulong> BagIds => Bags.Ids.View;
    public ArrayView<int> IdCells => Bags.Cells.View;
    /// <summary>The block-start records of the last uploaded batch: one per cell, or one per id of a multi-hot batch.</summary>
    public int Records => HasBags ? Bags.IdCount : _rows * Tables;

    private int _rows;
    private BagSlot Bags => Current.Bags ?? throw new InvalidOperationException("This model's batches hold tokens, not bags.");

    private Slot Current => _current ?? throw new InvalidOperationException("No batch has been uploaded yet.");

    /// <summary>Queues the upload of <paramref name="batch"/>'s valid rows (labels only when <paramref name="withLabels"/>); the
    /// compute stream's next work sees them. The batch's arrays may be reused as soon as this returns.</summary>
    public void Upload(Batch batch, bool withLabels)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count < 1 || batch.Count > Capacity)
            throw new ArgumentOutOfRangeException(nameof(batch), batch.Count, $"batch rows must be 1..{Capacity} (ModelOptions.MaxBatchSize)");
        if (batch.DenseFeatures != DenseFeatures || batch.Tables != Tables)
            throw new ArgumentException($"The batch has {batch.DenseFeatures} dense features and {batch.Tables} tables; the model expects {DenseFeatures} and {Tables}.", nameof(batch));
        BatchChecks.Hotness(batch, _declaration);
        // The update and the deterministic gradient address an id's coordinates (two per coordinate for QuotientRemainder
        // pairs) with 32-bit indices.
        if (HasBags && 2L * batch.IdCount * _declaration.EmbeddingDim > int.MaxValue)
            throw new ArgumentException($"The batch holds {batch.IdCount} ids; with d = {_declaration.EmbeddingDim} that is more coordinates than one step " +
                "addresses (2 x ids x d must stay below 2^31). Use smaller batches.", nameof(batch));

        Slot slot = _slots[_next];
        _next ^= 1;
        _current = slot;
        _rows = batch.Count;
        slot.WaitUntilCopied(_device); // the staging area is free again
        int tokens = batch.Count * Tables;
        bool narrow = TokenStaging.Stage(batch, withLabels, DenseAsBf16 ? null : slot.StagingDense, slot.StagingDenseBf16, PaddedDenseFeatures,
            slot.StagingLabels, slot.StagingTokens, slot.StagingNarrow);
        bool narrowBags = slot.Bags?.Stage(batch) ?? false;

        slot.CopyWaitsForRelease(_copyStream);
        if (DenseAsBf16) Copy(slot.StagingDenseBf16!, slot.DenseBf16!.View, batch.Count * PaddedDenseFeatures);
        else Copy(slot.StagingDense, slot.Dense.View, batch.DenseSpan.Length);
        if (withLabels) Copy(slot.StagingLabels, slot.Labels.View, batch.Count);
        if (slot.Bags is { } bags) CopyBags(bags, tokens, narrowBags);
        else if (narrow) Copy(slot.StagingNarrow!, slot.Narrow!.View, tokens);
        else Copy(slot.StagingTokens!, slot.Tokens!.View, tokens);
        slot.MarkCopied(_device, _copyStream);
        if (slot.Bags is { } filled) FillBags(filled, tokens, narrowBags);
        else if (narrow) _widen(_device.Stream, tokens, slot.Narrow!.View, slot.Tokens!.View);
    }

    /// <summary>The bags' copies, on the copy stream: offsets, and the ids wide or in 32 bits.</summary>
    private void CopyBags(BagSlot bags, int cells, bool narrow)
    {
        Copy(bags.StagingOffsets, bags.Offsets.View, cells + 1);
        if (narrow) Copy(bags.StagingNarrow, bags.Narrow.View, bags.IdCount);
        else Copy(bags.StagingIds, bags.Ids.View, bags.IdCount);
    }

    /// <summary>On the compute stream, after the copies: the ids widened (when they came in 32 bits) and each id's cell.</summary>
    private void FillBags(BagSlot bags, int cells, bool narrow)
    {
        if (bags.IdCount == 0) return;
        if (narrow) _widen(_device.Stream, bags.IdCount, bags.Narrow.View, bags.Ids.View);
        _markCells(_device.Stream, cells, bags.Offsets.View, bags.Cells.View);
    }

    /// <summary>Marks the end of the compute work that reads the last uploaded slot (queue it after that work).</summary>
    public void Release() => Current.MarkReleased(_device);

    private void Copy<T>(PageLockedArray1D<T> staging, ArrayView<T> target, int length) where T : unmanaged
    {
        if (length == 0) return;
        target.SubView(0, length).CopyFrom(_copyStream, staging.ArrayView.SubView(0, length));
    }

    private static void Widen(Index1D i, ArrayView<uint> narrow, ArrayView<ulong> wide) => wide[i] = narrow[i];

    /// <summary>Cell c writes its index at each of its ids (bags are short: one thread per cell walks its own).</summary>
    private static void MarkCells(Index1D cell, ArrayView<int> offsets, ArrayView<int> cells)
    {
        for (int k = offsets[cell], end = offsets[cell + 1]; k < end; k++) cells[k] = cell;
    }

    public void Dispose()
    {
        foreach (var slot in _slots) slot.Dispose();
        if (_ownsCopyStream) _copyStream.Dispose();
    }

    private sealed class Slot : IDisposable
    {
        private readonly CudaEvent? _copied;
        private readonly CudaEvent? _released;

        /// <summary>A slot for batches of tokens or, when <paramref name="bags"/>, of bags with room for <paramref name="ids"/> ids to start.</summary>
        public static Slot Create(GpuDevice device, DeviceMemory memory, int capacity, int denseFeatures, int tables, int index, bool denseAsBf16,
            bool bags, long ids) =>
            new(device, memory, capacity, denseFeatures, tables, index, denseAsBf16, bags ? new BagSlot(device, memory, capacity * tables, ids, index) : null);

        private Slot(GpuDevice device, DeviceMemory memory, int capacity, int denseFeatures, int tables, int index, bool denseAsBf16, BagSlot? bags)
        {
            if (denseAsBf16)
            {
                long padded = (long)capacity * Kernels.InteractionShape.PadTo8(denseFeatures);
                DenseBf16 = memory.Allocate<ushort>($"batch.dense.bf16[{index}]", padded);
                StagingDenseBf16 = device.Accelerator.AllocatePageLocked1D<ushort>(padded);
            }
            Labels = memory.Allocate<float>($"batch.labels[{index}]", capacity);
            Dense = memory.Allocate<float>($"batch.dense[{index}]", (long)capacity * denseFeatures);
            StagingLabels = device.Accelerator.AllocatePageLocked1D<float>(capacity);
            StagingDense = device.Accelerator.AllocatePageLocked1D<float>(Math.Max(1L, (long)capacity * denseFeatures));
            Bags = bags;
            if (bags is null)
            {
                long tokens = Math.Max(1L, (long)capacity * tables);
                Tokens = memory.Allocate<ulong>($"batch.tokens[{index}]", tokens);
                Narrow = memory.Allocate<uint>($"batch.tokens32[{index}]", tokens);
                StagingTokens = device.Accelerator.AllocatePageLocked1D<ulong>(tokens);
                StagingNarrow = device.Accelerator.AllocatePageLocked1D<uint>(tokens);
            }
            if (device.IsCuda)
            {
                _copied = new CudaEvent();
                _released = new CudaEvent();
            }
        }

        public MemoryBuffer1D<float, Stride1D.Dense> Labels { get; }
        public MemoryBuffer1D<float, Stride1D.Dense> Dense { get; }
        /// <summary>Single-hot models: the tokens [rows, T], and their 32-bit form.</summary>
        public MemoryBuffer1D<ulong, Stride1D.Dense>? Tokens { get; }
        public MemoryBuffer1D<uint, Stride1D.Dense>? Narrow { get; }
        /// <summary>Multi-hot models: the bags.</summary>
        public BagSlot? Bags { get; }
        public MemoryBuffer1D<ushort, Stride1D.Dense>? DenseBf16 { get; }
        public PageLockedArray1D<ushort>? StagingDenseBf16 { get; }
        public PageLockedArray1D<float> StagingLabels { get; }
        public PageLockedArray1D<float> StagingDense { get; }
        public PageLockedArray1D<ulong>? StagingTokens { get; }
        public PageLockedArray1D<uint>? StagingNarrow { get; }

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
            StagingTokens?.Dispose();
            StagingNarrow?.Dispose();
            StagingDenseBf16?.Dispose();
            Bags?.Dispose();
        }
    }
}

/// <summary>Host side of the upload: the batch into page-locked staging, tokens as 32 bits when they all fit.</summary>
internal static class TokenStaging
{
    /// <summary>Rows per parallel staging chunk: a large batch is several MB, which one thread copies slower than the GPU computes on it.</summary>
    private const int RowsPerChunk = 2048;

    /// <summary>Copies the batch into staging (in parallel for large batches); true when the tokens went to the 32-bit area.
    /// A multi-hot batch has no tokens (<paramref name="wide"/> and <paramref name="narrow"/> are null): its bags go through
    /// <see cref="StageBags"/>.</summary>
    public static bool Stage(Batch batch, bool withLabels, PageLockedArray1D<float>? dense, PageLockedArray1D<ushort>? denseBf16, int paddedFeatures,
        PageLockedArray1D<float> labels, PageLockedArray1D<ulong>? wide, PageLockedArray1D<uint>? narrow)
    {
        int rows = batch.Count, chunks = (rows + RowsPerChunk - 1) / RowsPerChunk;
        int features = batch.DenseFeatures, tables = batch.Tables;
        int fits = 1;
        void Chunk(int c)
        {
            int first = c * RowsPerChunk, count = Math.Min(RowsPerChunk, rows - first);
            if (dense is not null) batch.Dense.AsSpan(first * features, count * features).CopyTo(dense.Span.Slice(first * features));
            else ToBf16(batch.Dense.AsSpan(first * features, count * features), features, denseBf16!.Span.Slice(first * paddedFeatures, count * paddedFeatures), paddedFeatures);
            if (withLabels) batch.Labels.AsSpan(first, count).CopyTo(labels.Span.Slice(first));
            if (narrow is not null && !TryNarrow(batch.Tokens.AsSpan(first * tables, count * tables), narrow.Span.Slice(first * tables))) Volatile.Write(ref fits, 0);
        }
        if (chunks == 1) Chunk(0);
        else Parallel.For(0, chunks, Chunk);
        if (wide is null || fits == 1) return wide is not null;
        batch.TokenSpan.CopyTo(wide.Span);
        return false;
    }

    /// <summary>Ids per parallel chunk of <see cref="StageBags"/>.</summary>
    private const int IdsPerChunk = 1 << 16;

    /// <summary>Copies a multi-hot batch's offsets and ids into staging (the ids in 32 bits when they all fit, as tokens);
    /// true when the ids went to the 32-bit area.</summary>
    public static bool StageBags(Batch batch, PageLockedArray1D<int> offsets, PageLockedArray1D<ulong> wide, PageLockedArray1D<uint> narrow)
    {
        batch.BagOffsets.AsSpan(0, batch.Count * batch.Tables + 1).CopyTo(offsets.Span);
        int ids = batch.IdCount, chunks = (ids + IdsPerChunk - 1) / IdsPerChunk;
        int fits = 1;
        void Chunk(int c)
        {
            int first = c * IdsPerChunk, count = Math.Min(IdsPerChunk, ids - first);
            if (!TryNarrow(batch.BagIds.AsSpan(first, count), narrow.Span.Slice(first, count))) Volatile.Write(ref fits, 0);
        }
        if (chunks == 1) Chunk(0);
        else if (chunks > 1) Parallel.For(0, chunks, Chunk);
        if (fits == 1) return true;
        batch.BagIds.AsSpan(0, ids).CopyTo(wide.Span);
        return false;
    }

    /// <summary>Rows of <paramref name="features"/> floats as rows of <paramref name="padded"/> bf16 (round to nearest even; zeros after).</summary>
    private static void ToBf16(ReadOnlySpan<float> source, int features, Span<ushort> target, int padded)
    {
        int rows = source.Length / Math.Max(1, features);
        for (int r = 0; r < rows; r++)
        {
            Span<ushort> row = target.Slice(r * padded, padded);
            for (int f = 0; f < features; f++) row[f] = Kernels.Bf16.FromFloat(source[r * features + f]);
            row[features..].Clear();
        }
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
