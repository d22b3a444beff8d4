using System.Runtime.ExceptionServices;

namespace RobeGen.Data;

/// <summary>
/// A parsed batch and the lines it covers: [Start, End). Resuming at End continues right after it. End is where the
/// reader stood after the batch: when a file ran out inside the batch that is the next file's line 0 (past the last
/// file at the very end), otherwise a line of the batch's last file.
/// </summary>
public readonly record struct CriteoBatch(Batch Batch, DataPosition Start, DataPosition End);

/// <summary>
/// Streams Criteo TSV files (plain or gzip) as columnar batches with bounded memory. One thread reads and cuts the
/// input into chunks of <see cref="CriteoReaderOptions.BatchSize"/> lines, parser threads turn chunks into batches,
/// and the consumer receives them in file order: the same files and options always give the same batches,
/// whatever the thread count. Batch k covers lines [k * BatchSize, (k + 1) * BatchSize) counted from the start
/// position, across file boundaries. With <see cref="CriteoReaderOptions.InterleaveFiles"/> (or a start position
/// saved that way) several files are read at once and the batches go round them (<see cref="InterleavedPosition"/>).
/// <para>
/// Usage: <c>while (reader.MoveNext()) { use reader.Current }</c> or <c>foreach (CriteoBatch b in reader)</c>.
/// The batch is valid until the next <see cref="MoveNext"/>, when its buffers return to the pipeline; nothing is
/// allocated per batch in steady state. Errors (bad lines, corrupt gzip) surface in file order at the batch that
/// contains them, after all earlier batches.
/// </para>
/// </summary>
public sealed class CriteoReader : IDisposable
{
    private const int ExpectedBytesPerLine = 512;
    private const long InFlightMemoryBudget = 1L << 30;

    private readonly IReadOnlyList<string> _files;
    private readonly CriteoLayout _layout;
    private readonly CriteoReaderOptions _options;
    private readonly ILineSource _chunker;
    private readonly BoundedQueue<ReaderWorkItem> _free;
    private readonly BoundedQueue<ReaderWorkItem> _toParse;
    private readonly BoundedQueue<ReaderWorkItem> _inOrder;
    private readonly Thread _readerThread;
    private readonly Thread[] _parserThreads;
    private readonly FileStream? _rejects;
    private ReaderWorkItem? _current;
    private ExceptionDispatchInfo? _fault;
    private volatile bool _stopping;
    private bool _disposed;

    private CriteoReader(IReadOnlyList<string> files, CriteoLayout layout, CriteoReaderOptions options)
    {
        _files = files;
        _layout = layout;
        _options = options;
        Position = options.Start;
        int threads = options.ParserThreads > 0 ? options.ParserThreads : Environment.ProcessorCount;
        int inFlight = options.BatchesInFlight > 0 ? Math.Max(2, options.BatchesInFlight) : DefaultInFlight(threads, options.BatchSize);

        _chunker = CreateLineSource(files, options);
        _free = new BoundedQueue<ReaderWorkItem>(inFlight);
        _toParse = new BoundedQueue<ReaderWorkItem>(inFlight);
        _inOrder = new BoundedQueue<ReaderWorkItem>(inFlight);
        for (int i = 0; i < inFlight; i++) _free.TryAdd(new ReaderWorkItem(options.BatchSize, ExpectedBytesPerLine));
        if (options.SkipBadRows)
            _rejects = new FileStream(options.RejectsPath!, FileMode.Create, FileAccess.Write, FileShare.Read);

        _readerThread = new Thread(ReadLoop) { IsBackground = true, Name = "RobeGen Criteo reader" };
        _parserThreads = new Thread[threads];
        for (int i = 0; i < threads; i++)
            _parserThreads[i] = new Thread(ParseLoop) { IsBackground = true, Name = $"RobeGen Criteo parser {i}" };
        _readerThread.Start();
        foreach (Thread t in _parserThreads) t.Start();
    }

    /// <summary>Starts reading one file.</summary>
    public static CriteoReader Open(string file, CriteoLayout layout, CriteoReaderOptions? options = null) =>
        Open([file], layout, options);

    /// <summary>Starts reading <paramref name="files"/> in order, as one stream of lines.</summary>
    public static CriteoReader Open(IReadOnlyList<string> files, CriteoLayout layout, CriteoReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        options ??= new CriteoReaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options.BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.ParserThreads, nameof(options.ParserThreads));
        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchesInFlight, nameof(options.BatchesInFlight));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLineBytes, 64, nameof(options.MaxLineBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InterleaveFiles, nameof(options.InterleaveFiles));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.InterleaveFiles, InterleavedPosition.MaxLanes, nameof(options.InterleaveFiles));
        if (options.SkipBadRows && string.IsNullOrEmpty(options.RejectsPath))
            throw new ArgumentException("SkipBadRows needs a RejectsPath: rejected lines are written there, never dropped silently.", nameof(options));
        if (!Enum.IsDefined(layout)) throw new ArgumentOutOfRangeException(nameof(layout), layout, null);
        string[] copy = files.ToArray();
        foreach (string file in copy)
            if (!File.Exists(file)) throw new FileNotFoundException($"Data file not found: {file}", file);
        return new CriteoReader(copy, layout, options);
    }

    /// <summary>The batch from the last successful <see cref="MoveNext"/>; valid until the next call.</summary>
    public Batch Current => _current?.Batch ?? throw new InvalidOperationException("MoveNext has not returned a batch.");
    /// <summary>Where <see cref="Current"/>'s first line is.</summary>
    public DataPosition CurrentStart => _current?.Lines.Start ?? throw new InvalidOperationException("MoveNext has not returned a batch.");
    /// <summary>Where the next batch starts: the position to save for an exact resume.</summary>
    public DataPosition Position { get; private set; }
    /// <summary>Lines consumed so far (good and rejected).</summary>
    public long LinesRead { get; private set; }
    /// <summary>Rows delivered in batches so far.</summary>
    public long RowsRead { get; private set; }
    /// <summary>Lines left out as bad (with <see cref="CriteoReaderOptions.SkipBadRows"/>); each is in the rejects file.</summary>
    public long RejectedRows { get; private set; }
    /// <summary>Why the first rejected line was rejected (file, line, field, problem), or null.</summary>
    public string? FirstRejectReason { get; private set; }

    /// <summary>foreach support: each batch with the lines it covers.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Advances to the next non-empty batch; false at the end of the input. Throws the first error in file order.</summary>
    public bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _fault?.Throw();
        ReturnCurrent();
        while (_inOrder.TryTake(out ReaderWorkItem? item))
        {
            item.WaitParsed();
            if (item.Error is not null)
            {
                _fault = ExceptionDispatchInfo.Capture(item.Error);
                _free.TryAdd(item);
                _fault.Throw();
            }
            WriteRejects(item);
            Position = item.Lines.End;
            LinesRead += item.Lines.LineCount;
            RowsRead += item.Batch.Count;
            if (item.Batch.Count == 0)
            {
                // Every line of this chunk was rejected: nothing to hand out, keep going.
                Recycle(item);
                continue;
            }
            _current = item;
            return true;
        }
        return false;
    }

    private void WriteRejects(ReaderWorkItem item)
    {
        if (item.RejectedRows.Count == 0) return;
        foreach (int row in item.RejectedRows) _rejects!.Write(item.Lines.Line(row));
        _rejects!.Flush();
        RejectedRows += item.RejectedRows.Count;
        FirstRejectReason ??= item.FirstRejectReason;
    }

    private void ReturnCurrent()
    {
        if (_current is null) return;
        Recycle(_current);
        _current = null;
    }

    private void Recycle(ReaderWorkItem item)
    {
        item.Recycle();
        _free.TryAdd(item);
    }

    /// <summary>The files in order, or several at once: as the start position was read, else as the options ask.</summary>
    private static ILineSource CreateLineSource(IReadOnlyList<string> files, CriteoReaderOptions options)
    {
        InterleavedPosition? lanes = options.Start.Interleaved;
        int interleave = options.InterleaveFiles == 0 ? CriteoReaderOptions.AutomaticInterleave(files) : options.InterleaveFiles;
        if (lanes is null && interleave >= 2) lanes = InterleavedPosition.Begin(options.Start, interleave, files.Count);
        if (lanes is not null)
        {
            // Each lane inflates its current file and the one after it (no stall between them); -1 keeps inflating on the reader thread.
            int ahead = options.InflateThreads < 0 ? 0 : 2;
            return new InterleavedChunker(files, lanes, options.End, options.MaxLineBytes, options.ForceGzipTrailerCheck, ahead, options.SkipBadRows);
        }
        int filesToRead = (options.End?.FileIndex ?? files.Count - 1) - options.Start.FileIndex + 1;
        int inflateThreads = FilePrefetcher.ThreadsFor(options.InflateThreads, filesToRead);
        return new LineChunker(files, options.Start, options.MaxLineBytes, options.ForceGzipTrailerCheck, options.End, inflateThreads,
            cutLongLines: options.SkipBadRows);
    }

    private void ReadLoop()
    {
        try
        {
            while (!_stopping && _free.TryTake(out ReaderWorkItem? item))
            {
                bool filled;
                try
                {
                    filled = _chunker.Fill(item.Lines, _options.BatchSize);
                }
                catch (Exception e)
                {
                    // Delivered in order, after every batch read before it.
                    item.Lines.Reset();
                    item.Error = e;
                    item.MarkParsed();
                    _inOrder.TryAdd(item);
                    return;
                }
                if (!filled) return;
                if (!_inOrder.TryAdd(item) || !_toParse.TryAdd(item)) return;
            }
        }
        finally
        {
            _inOrder.Complete();
            _toParse.Complete();
        }
    }

    private void ParseLoop()
    {
        while (_toParse.TryTake(out ReaderWorkItem? item))
        {
            if (!_stopping)
            {
                try
                {
                    CriteoChunkParser.Parse(item, _layout, _options.SkipBadRows, _files);
                }
                catch (Exception e)
                {
                    item.Error = e;
                }
            }
            item.MarkParsed();
        }
    }

    private static int DefaultInFlight(int threads, int batchSize)
    {
        long bytesPerItem = (long)batchSize * (ExpectedBytesPerLine + sizeof(float) * (1 + CriteoSchema.DenseFeatures) + sizeof(ulong) * CriteoSchema.CategoricalFeatures);
        long affordable = Math.Max(1, InFlightMemoryBudget / bytesPerItem);
        return (int)Math.Max(threads + 2, Math.Min(2L * threads + 2, affordable));
    }

    /// <summary>Stops the reader and parser threads and closes the files.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stopping = true;
        _free.Complete();
        _toParse.Complete();
        _inOrder.Complete();
        _readerThread.Join();
        foreach (Thread t in _parserThreads) t.Join();
        _chunker.Dispose();
        _rejects?.Dispose();
    }

    /// <summary>foreach support without allocation.</summary>
    public struct Enumerator
    {
        private readonly CriteoReader _reader;

        internal Enumerator(CriteoReader reader) => _reader = reader;

        /// <summary>The current batch and its lines.</summary>
        public readonly CriteoBatch Current => new(_reader.Current, _reader.CurrentStart, _reader.Position);

        /// <summary>Advances to the next batch.</summary>
        public readonly bool MoveNext() => _reader.MoveNext();
    }
}
