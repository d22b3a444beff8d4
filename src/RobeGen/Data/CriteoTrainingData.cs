namespace RobeGen.Data;

/// <summary>
/// Criteo TSV files (plain or gzip) as training or evaluation data: each <see cref="Open"/> streams them with a
/// <see cref="CriteoReader"/> from a position, optionally only up to <see cref="End"/> (a hold-out split), and maps
/// the tokens of Full tables through a vocabulary.
/// </summary>
public sealed class CriteoTrainingData : IFittedData
{
    /// <summary>The lines of <paramref name="files"/> in <paramref name="layout"/>, read with <paramref name="readerOptions"/>.</summary>
    public CriteoTrainingData(IReadOnlyList<string> files, CriteoLayout layout = CriteoLayout.Labeled, CriteoReaderOptions? readerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("At least one data file is needed.", nameof(files));
        Files = files.ToArray();
        Layout = layout;
        ReaderOptions = readerOptions ?? new CriteoReaderOptions();
    }

    /// <summary>The files, in reading order.</summary>
    public IReadOnlyList<string> Files { get; }
    /// <summary>The layout of every file.</summary>
    public CriteoLayout Layout { get; }
    /// <summary>How the files are read (batch size and positions are set per cursor).</summary>
    public CriteoReaderOptions ReaderOptions { get; }
    /// <summary>Rewrites the tokens of Full tables to vocabulary indices (null when no table needs it).</summary>
    public VocabularyMapper? Vocabulary { get; init; }
    /// <summary>Picks the model's columns out of each Criteo batch (null: the model reads all 13 + 26 in order).</summary>
    internal ColumnProjection? Projection { get; init; }
    /// <summary>First line of the data set (a hold-out split starts here).</summary>
    public DataPosition First { get; init; } = DataPosition.Start;
    /// <summary>Exclusive end of the data set; null for all lines.</summary>
    public DataPosition? End { get; init; }

    /// <summary>The same data with <paramref name="mapper"/> applied to every batch.</summary>
    public CriteoTrainingData WithVocabulary(VocabularyMapper? mapper) =>
        new(Files, Layout, ReaderOptions) { Vocabulary = mapper, Projection = Projection, First = First, End = End };

    /// <summary>The same data shaped for <paramref name="declaration"/>'s dense features and tables.</summary>
    public CriteoTrainingData ForModel(ModelDeclaration declaration) =>
        new(Files, Layout, ReaderOptions) { Vocabulary = Vocabulary, Projection = ColumnProjection.For(declaration), First = First, End = End };

    /// <summary>Criteo's dense columns are log1p-transformed: nothing is standardized.</summary>
    public DenseStatistics Statistics => DenseStatistics.None;

    /// <summary>The vocabulary of all 26 Criteo columns over these lines (a model's tables map their own <see cref="EmbeddingTable.Column"/>).</summary>
    public Vocabulary BuildVocabulary(long minCount, IReadOnlyDictionary<int, long>? maxIds = null) =>
        VocabularyBuilder.Build(new CriteoTrainingData(Files, Layout, ReaderOptions) { First = First, End = End }, minCount, maxIds);

    IFittedData IFittedData.WithVocabulary(VocabularyMapper? mapper) => WithVocabulary(mapper);

    /// <summary>The file names, and the line range when only part is used.</summary>
    public string Description =>
        string.Join(", ", Files.Select(Path.GetFileName)) + (First != DataPosition.Start || End is not null ? $" [{First} .. {End?.ToString() ?? "end"})" : "");

    /// <summary>
    /// Rows rejected in one pass over this data set (with SkipBadRows): the most any cursor has rejected, so that reading
    /// the data again (the next epoch, another evaluation) does not count the same bad rows twice.
    /// </summary>
    public long RejectedRows => Interlocked.Read(ref _rejected);
    private long _rejected;

    /// <summary>Opens at <paramref name="start"/>, relative to the data set (<see cref="DataPosition.Start"/> is <see cref="First"/>).</summary>
    public IBatchCursor Open(DataPosition start, int batchSize)
    {
        bool fresh = start == DataPosition.Start;
        DataPosition absolute = fresh ? First : start;
        // A saved position resumes as it was read: an interleaved one with its lanes (the reader takes them from it), an
        // in-order one in order, whatever the options say now; only a pass from the start follows InterleaveFiles.
        int interleave = fresh ? ReaderOptions.InterleaveFiles : 1;
        CriteoReader reader = CriteoReader.Open(Files, Layout, ReaderOptions with { BatchSize = batchSize, Start = absolute, End = End, InterleaveFiles = interleave });
        return new Cursor(reader, Vocabulary, Projection, batchSize, this);
    }

    private sealed class Cursor(CriteoReader reader, VocabularyMapper? vocabulary, ColumnProjection? projection, int batchSize, CriteoTrainingData owner) : IBatchCursor
    {
        private readonly Batch? _projected = projection?.CreateTarget(batchSize);

        public Batch Current => _projected ?? reader.Current;
        public DataPosition Position => reader.Position;

        public bool MoveNext()
        {
            bool more = reader.MoveNext();
            for (long mine = reader.RejectedRows, seen; mine > (seen = Interlocked.Read(ref owner._rejected));)
                if (Interlocked.CompareExchange(ref owner._rejected, mine, seen) == seen) break;
            if (!more) return false;
            if (projection is not null) projection.Project(reader.Current, _projected!);
            vocabulary?.Map(Current);
            return true;
        }

        public void Dispose() => reader.Dispose();
    }
}
