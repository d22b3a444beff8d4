namespace RobeGen.Data;

/// <summary>
/// A data set read once from its source and replayed from memory after that: what the trainer does with its evaluation
/// rows, which it reads again at every evaluation. Making them again can cost more than predicting them (50M synthetic
/// rows are drawn by the CPU at about 4M rows/s on 16 cores, while an H100 predicts about 17M rows/s). The first pass
/// from the start that reads to the end keeps each batch compactly (ids in 32 bits where every id of the batch fits) as
/// long as the copy stays within <see cref="BudgetBytes"/>; a pass that would outgrow it drops the copy, and then every
/// pass reads the source, as without this class. Only passes from the start at the recorded batch size replay.
/// <see cref="ReadAhead"/> makes that first pass in the background, on part of the machine, while training runs.
/// </summary>
internal sealed class ReplayedData : ITrainingData, IDisposable
{
    private readonly ITrainingData _source;
    private List<StoredBatch>? _stored;
    private int _storedBatchSize;
    private bool _tooLarge;
    private Task? _readAhead;
    private int _readAheadBatchSize;
    private readonly CancellationTokenSource _stopReadAhead = new();
    /// <summary>Set by a read that takes the pass running ahead over; the pass stops after its current batch.</summary>
    private volatile bool _handOver;
    /// <summary>The cursor of a pass stopped for a reader that takes it over (from the pass's task to that reader).</summary>
    private RecordingCursor? _handedOver;

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

    /// <summary>
    /// Starts the first pass (from the start, at <paramref name="batchSize"/>) in the background, so that the first
    /// evaluation finds the rows held instead of drawing or reading them while the device waits. The pass runs on a
    /// scheduler of at most <paramref name="maxThreads"/> (at least 2) threads, and a source that queues its work to the
    /// current scheduler (the synthetic rows: their batches and their parallel chunks) stays within it, leaving the other
    /// cores to the training input; a file reader's own threads are not held to it. A read from the start that comes
    /// before the pass ends takes it over (<see cref="Open"/>); <see cref="Dispose"/> stops it. Does nothing once a copy
    /// is held or known not to fit, or while a pass is already running ahead.
    /// </summary>
    public void ReadAhead(int batchSize, int maxThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (_stored is not null || _tooLarge || _readAhead is not null) return;
        // Two at least: the pass's own loop holds one while it waits for a batch that needs another.
        var scheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, Math.Max(2, maxThreads)).ConcurrentScheduler;
        CancellationToken stop = _stopReadAhead.Token;
        _handOver = false;
        _readAheadBatchSize = batchSize;
        _readAhead = Task.Factory.StartNew(() =>
        {
            IBatchCursor cursor = OpenSource(batchSize);
            try
            {
                while (!stop.IsCancellationRequested && !_handOver && !_tooLarge && cursor.MoveNext()) { }
            }
            catch
            {
                cursor.Dispose();
                throw;
            }
            // Asked for before the end: the reader goes on with this cursor, from the batch after the last one recorded.
            // (A recording that still holds its batches has neither ended nor outgrown the budget.)
            if (_handOver && !stop.IsCancellationRequested && cursor is RecordingCursor { Recorded: not null } recording)
                _handedOver = recording;
            else cursor.Dispose();
        }, stop, TaskCreationOptions.DenyChildAttach, scheduler);
    }

    /// <summary>
    /// A pass from the start: the held copy replayed, or the source read (and recorded while a copy may fit). While a pass
    /// runs ahead, it is stopped after the batch it is reading and taken over, not waited for: the batches it recorded
    /// come first, then its cursor goes on here, on the caller's threads (all the machine's, while the device waits for
    /// them), recording to the end. An error of the pass ahead (a bad row of the evaluation data) is thrown here.
    /// </summary>
    public IBatchCursor Open(DataPosition start, int batchSize)
    {
        if (start != DataPosition.Start) return _source.Open(start, batchSize);
        if (_readAhead is { } pending)
        {
            _readAhead = null;
            _handOver = true;
            pending.GetAwaiter().GetResult();
            if (_handedOver is { } recording)
            {
                _handedOver = null;
                if (batchSize == _readAheadBatchSize) return new ContinuedCursor(recording, batchSize);
                recording.Dispose();
            }
        }
        return OpenSource(batchSize);
    }

    /// <summary>A pass from the start: the held copy replayed, or the source read (and recorded while a copy may fit).</summary>
    private IBatchCursor OpenSource(int batchSize)
    {
        if (_stored is not null && batchSize == _storedBatchSize) return new ReplayCursor(_stored, _stored.Count, batchSize);
        IBatchCursor cursor = _source.Open(DataPosition.Start, batchSize);
        return _tooLarge ? cursor : new RecordingCursor(this, cursor, batchSize);
    }

    /// <summary>Whether <see cref="Dispose"/> has asked a pass running ahead to stop.</summary>
    internal bool IsStoppingReadAhead => _stopReadAhead.IsCancellationRequested;

    /// <summary>Stops a pass running ahead and waits for it (its error, if any, belongs to a read nobody asked for).</summary>
    public void Dispose()
    {
        _stopReadAhead.Cancel();
        try { _readAhead?.Wait(); }
        catch (AggregateException) { }
        _readAhead = null;
        _stopReadAhead.Dispose();
    }

    /// <summary>Reads the source and keeps a copy of each batch; a pass read to its end becomes the held copy.</summary>
    private sealed class RecordingCursor(ReplayedData owner, IBatchCursor source, int batchSize) : IBatchCursor
    {
        private List<StoredBatch>? _batches = [];
        private long _bytes;

        /// <summary>The batches recorded so far (null once the copy outgrew the budget, or once the pass ended and became the held copy).</summary>
        public List<StoredBatch>? Recorded => _batches;

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

    /// <summary>A pass taken over from the read ahead: the batches it recorded, replayed (<see cref="ReplayCursor"/>), then
    /// its own cursor, which reads (and records) the rest.</summary>
    private sealed class ContinuedCursor(RecordingCursor recording, int batchSize) : IBatchCursor
    {
        // The batches as they were taken over: the recording appends the rest to the same list once it goes on.
        private readonly ReplayCursor _recorded = new(recording.Recorded!, recording.Recorded!.Count, batchSize);
        private bool _live;

        public Batch Current => _live ? recording.Current : _recorded.Current;
        public DataPosition Position => _live ? recording.Position : _recorded.Position;

        public bool MoveNext()
        {
            if (!_live && _recorded.MoveNext()) return true;
            _live = true;
            return recording.MoveNext();
        }

        public void Dispose()
        {
            _recorded.Dispose();
            recording.Dispose();
        }
    }

    /// <summary>The first <paramref name="count"/> held batches, written back into two batches in turn: the next one is
    /// written on the thread pool while the caller reads the current one, so a replayed evaluation's thread only hands
    /// batches to the device.</summary>
    private sealed class ReplayCursor(List<StoredBatch> batches, int count, int batchSize) : IBatchCursor
    {
        private Batch? _batch, _spare;
        /// <summary>Writing batches[_next] into _spare, when started.</summary>
        private Task? _pending;
        private int _next;

        public Batch Current => _batch ?? throw new InvalidOperationException("MoveNext has not returned a batch.");
        public DataPosition Position => _next == 0 ? DataPosition.Start : batches[_next - 1].End;

        public bool MoveNext()
        {
            if (_next == count) return false;
            if (_pending is null) batches[_next].CopyTo(_spare ??= batches[_next].NewBatch(batchSize));
            else _pending.GetAwaiter().GetResult();
            _pending = null;
            (_batch, _spare) = (_spare, _batch);
            _next++;
            if (_next < count)
            {
                StoredBatch stored = batches[_next];
                Batch target = _spare ??= stored.NewBatch(batchSize);
                _pending = Task.Run(() => stored.CopyTo(target));
            }
            return true;
        }

        public void Dispose()
        {
            // The batch being written belongs to this cursor: let it finish before the cursor goes.
            try { _pending?.Wait(); } catch (AggregateException) { }
        }
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
            if (MultiHot)
            {
                Offsets.CopyTo(batch.BagOffsets, 0);
                batch.EnsureIdCapacity(idCount);
            }
            ulong[] ids = MultiHot ? batch.BagIds : batch.Tokens;
            if (NarrowIds is not null) Widen(NarrowIds, ids, idCount);
            else WideIds!.CopyTo(ids, 0);
            batch.Count = Count;
        }

        /// <summary>Ids widened to 64 bits in parallel slices once a batch holds many: a replayed evaluation is bound by
        /// this thread's work per batch (an H100 predicts a 16,384-row batch in about 1 ms), and this is the largest part.</summary>
        private static void Widen(uint[] narrow, ulong[] wide, int count)
        {
            const int Slice = 1 << 16;
            if (count <= 2 * Slice)
            {
                for (int i = 0; i < count; i++) wide[i] = narrow[i];
                return;
            }
            Parallel.For(0, (count + Slice - 1) / Slice, k =>
            {
                int end = Math.Min(count, (k + 1) * Slice);
                for (int i = k * Slice; i < end; i++) wide[i] = narrow[i];
            });
        }
    }
}
