namespace RobeGen.Data;

/// <summary>
/// A data set read once from its source and replayed from memory after that: what the trainer does with its evaluation
/// rows, which it reads again at every evaluation. Making them again can cost more than predicting them (50M synthetic
/// rows are drawn by the CPU at about 4M rows/s on 16 cores, while an H100 predicts about 17M rows/s). The first pass
/// from the start that reads to the end keeps each batch compactly (ids in 32 bits where every id of the batch fits) as
/// long as the copy stays within <see cref="BudgetBytes"/>; a pass that would outgrow it drops the copy, and then every
/// pass reads the source, as without this class. Only passes from the start at the recorded batch size replay.
/// </summary>
internal sealed class ReplayedData : ITrainingData
{
    private readonly ITrainingData _source;
    private List<StoredBatch>? _stored;
    private int _storedBatchSize;
    private bool _tooLarge;

    /// <param name="source">The data read on the first pass (and on every pass once the copy is known not to fit).</param>
    /// <param name="budgetBytes">The most the copy may hold.</param>
    public ReplayedData(ITrainingData source, long budgetBytes)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        _source = source;
        BudgetBytes = budgetBytes;
    }

    /// <summary>A quarter of the memory the process may use: a copy that big still leaves the rest to training.</summary>
    public static long DefaultBudget => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;

    /// <summary>The most the copy may hold.</summary>
    public long BudgetBytes { get; }

    /// <summary>Whether a complete pass is held (the next pass from the start replays it).</summary>
    public bool IsHeld => _stored is not null;

    /// <summary>Bytes the held copy takes (0 when none is held).</summary>
    public long HeldBytes => _stored?.Sum(b => b.Bytes) ?? 0;

    public string Description => _source.Description;

    public IBatchCursor Open(DataPosition start, int batchSize)
    {
        if (start != DataPosition.Start) return _source.Open(start, batchSize);
        if (_stored is not null && batchSize == _storedBatchSize) return new ReplayCursor(_stored, batchSize);
        IBatchCursor cursor = _source.Open(start, batchSize);
        return _tooLarge ? cursor : new RecordingCursor(this, cursor, batchSize);
    }

    /// <summary>Reads the source and keeps a copy of each batch; a pass read to its end becomes the held copy.</summary>
    private sealed class RecordingCursor(ReplayedData owner, IBatchCursor source, int batchSize) : IBatchCursor
    {
        private List<StoredBatch>? _batches = [];
        private long _bytes;

        public Batch Current => source.Current;
        public DataPosition Position => source.Position;

        public bool MoveNext()
        {
            if (!source.MoveNext())
            {
                if (_batches is not null)
                {
                    owner._stored = _batches;
                    owner._storedBatchSize = batchSize;
                    _batches = null;
                }
                return false;
            }
            if (_batches is not null)
            {
                var stored = StoredBatch.Of(source.Current, source.Position);
                _bytes += stored.Bytes;
                if (_bytes > owner.BudgetBytes)
                {
                    owner._tooLarge = true;
                    _batches = null;
                }
                else _batches.Add(stored);
            }
            return true;
        }

        public void Dispose() => source.Dispose();
    }

    /// <summary>The held batches, written back into one reused batch.</summary>
    private sealed class ReplayCursor(List<StoredBatch> batches, int batchSize) : IBatchCursor
    {
        private Batch? _batch;
        private int _next;

        public Batch Current => _batch ?? throw new InvalidOperationException("MoveNext has not returned a batch.");
        public DataPosition Position => _next == 0 ? DataPosition.Start : batches[_next - 1].End;

        public bool MoveNext()
        {
            if (_next == batches.Count) return false;
            StoredBatch stored = batches[_next++];
            _batch ??= stored.NewBatch(batchSize);
            stored.CopyTo(_batch);
            return true;
        }

        public void Dispose() { }
    }

    /// <summary>One batch's valid rows, ids narrowed to 32 bits when they all fit.</summary>
    private sealed record StoredBatch(int Count, int DenseFeatures, int Tables, bool MultiHot, float[] Labels, float[] Dense,
        uint[]? NarrowIds, ulong[]? WideIds, int[] Offsets, DataPosition End)
    {
        public long Bytes => 4L * (Labels.Length + Dense.Length + Offsets.Length) + 4L * (NarrowIds?.Length ?? 0) + 8L * (WideIds?.Length ?? 0);

        public static StoredBatch Of(Batch batch, DataPosition end)
        {
            ReadOnlySpan<ulong> ids = batch.IsMultiHot ? batch.BagIds.AsSpan(0, batch.IdCount) : batch.TokenSpan;
            bool narrow = true;
            foreach (ulong id in ids)
                if (id > uint.MaxValue) { narrow = false; break; }
            uint[]? narrowIds = null;
            if (narrow)
            {
                narrowIds = new uint[ids.Length];
                for (int i = 0; i < ids.Length; i++) narrowIds[i] = (uint)ids[i];
            }
            int[] offsets = batch.IsMultiHot ? batch.BagOffsets.AsSpan(0, batch.Count * batch.Tables + 1).ToArray() : [];
            return new StoredBatch(batch.Count, batch.DenseFeatures, batch.Tables, batch.IsMultiHot, batch.LabelSpan.ToArray(), batch.DenseSpan.ToArray(),
                narrowIds, narrow ? null : ids.ToArray(), offsets, end);
        }

        public Batch NewBatch(int capacity) => new(Math.Max(capacity, Count), DenseFeatures, Tables, MultiHot);

        public void CopyTo(Batch batch)
        {
            Labels.CopyTo(batch.Labels, 0);
            Dense.CopyTo(batch.Dense, 0);
            int idCount = NarrowIds?.Length ?? WideIds!.Length;
            Span<ulong> ids;
            if (MultiHot)
            {
                Offsets.CopyTo(batch.BagOffsets, 0);
                batch.EnsureIdCapacity(idCount);
                ids = batch.BagIds.AsSpan(0, idCount);
            }
            else ids = batch.Tokens.AsSpan(0, idCount);
            if (NarrowIds is not null)
                for (int i = 0; i < ids.Length; i++) ids[i] = NarrowIds[i];
            else WideIds!.CopyTo(ids);
            batch.Count = Count;
        }
    }
}
