namespace RobeGen.Data.Tabular;

/// <summary>
/// A model's data in files of the user's own columns: delimited text with a header (any delimiter, RFC 4180 quotes,
/// plain or gzip) or Parquet, each file's format found from its first bytes. The model's declaration says which
/// columns it reads (its label, dense and categorical column names, or the Criteo layout's label, I1.., C..) and the
/// files are read by those names into the batches training, evaluation and prediction take. Streamed: one batch of
/// rows in memory at a time.
/// <para>
/// A multi-hot table (<see cref="EmbeddingTable.IsMultiHot"/>) reads a list of ids per cell: in delimited text the ids
/// are separated by <see cref="ListSeparator"/> ('|' by default, ',' in a '|'-delimited file; quote the cell as any
/// other), in Parquet the column is a LIST of int32, int64 or strings. An empty cell, or a null list, is an empty bag.
/// Such a model's batches hold bags (<see cref="Batch.IsMultiHot"/>).
/// </para>
/// <para>
/// Dense columns declared <see cref="DenseTransform.Standardize"/> need the mean and standard deviation of the
/// training data: unless <see cref="Statistics"/> is given, the first <see cref="Open(DataPosition, int)"/> measures them over these
/// files. Evaluate and predict with the training data's: <c>train.WithFiles("test.csv")</c> keeps them, and a
/// checkpoint stores them (<see cref="DenseStatistics.ToSettings"/>).
/// </para>
/// </summary>
public sealed class TabularData : IFittedData
{
    private readonly Lazy<DenseStatistics> _statistics;

    /// <param name="declaration">The model whose columns are read (its generated <c>Declaration</c>).</param>
    /// <param name="files">The files, read in order as one data set.</param>
    /// <param name="delimiter">The field separator of delimited text files (',' by default; '\t', ';', '|', ...).</param>
    public TabularData(ModelDeclaration declaration, IReadOnlyList<string> files, char delimiter = ',')
    {
        ArgumentNullException.ThrowIfNull(declaration);
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("At least one data file is needed.", nameof(files));
        foreach (string file in files)
            if (!File.Exists(file)) throw new FileNotFoundException($"Data file not found: {file}", file);
        Declaration = declaration;
        Files = files.ToArray();
        Delimiter = delimiter;
        _statistics = new Lazy<DenseStatistics>(() => Statistics ?? Measure());
    }

    /// <summary>The data of <paramref name="files"/> for <paramref name="declaration"/> (comma-separated text or Parquet).</summary>
    public static TabularData Open(ModelDeclaration declaration, params string[] files) => new(declaration, files);

    /// <summary>The model whose columns are read.</summary>
    public ModelDeclaration Declaration { get; }
    /// <summary>The files, in reading order.</summary>
    public IReadOnlyList<string> Files { get; }
    /// <summary>The field separator of delimited text files.</summary>
    public char Delimiter { get; }

    /// <summary>The list separator of delimited text when none is given: '|' (',' in a '|'-delimited file, see <see cref="ListSeparator"/>).</summary>
    public const char DefaultListSeparator = '|';

    /// <summary>
    /// Separates the ids of a multi-hot cell in delimited text (ignored for single-hot tables and Parquet); null for the
    /// default: '|', or ',' when the field delimiter is '|'. It must differ from the delimiter, the quote and line breaks.
    /// </summary>
    public char? ListSeparator
    {
        get => _listSeparator;
        init
        {
            if (value is { } c && (c == Delimiter || c is '"' or '\r' or '\n'))
                throw new ArgumentException($"'{c}' cannot separate the ids of a list: it is the field delimiter, a quote or a line break.", nameof(ListSeparator));
            _listSeparator = value;
        }
    }

    private readonly char? _listSeparator;

    /// <summary>The list separator in use: <see cref="ListSeparator"/> or its default for <see cref="Delimiter"/>.</summary>
    public char ResolvedListSeparator => _listSeparator ?? (Delimiter == DefaultListSeparator ? ',' : DefaultListSeparator);

    /// <summary>
    /// Files read at once for a pass from the start, the batches going round them one from each (see
    /// <see cref="InterleavedPosition"/>): each file decodes on one thread, so n files at once decode n times as fast.
    /// 1 (the default) reads the files one after another; 0 chooses <see cref="AutomaticFilesAtOnce"/>. A saved position
    /// resumes as it was read, whatever this says.
    /// </summary>
    public int FilesAtOnce
    {
        get => _filesAtOnce;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(FilesAtOnce));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, InterleavedPosition.MaxLanes, nameof(FilesAtOnce));
            _filesAtOnce = value;
        }
    }

    private readonly int _filesAtOnce = 1;

    /// <summary>
    /// Threads decoding each Parquet file, its row groups' columns at once (delimited text files read on one thread
    /// each); 0 (the default) chooses the cores shared among the files read at once. The batches do not depend on it.
    /// </summary>
    public int DecodeThreads
    {
        get => _decodeThreads;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(DecodeThreads));
            _decodeThreads = value;
        }
    }

    private readonly int _decodeThreads;

    /// <summary>False for data without the label column (predictions); every label then reads 0.</summary>
    public bool Labeled { get; init; } = true;

    /// <summary>Statistics of the standardized dense columns; null to measure them over these files when first opened.</summary>
    public DenseStatistics? Statistics { get; init; }

    /// <summary>Rewrites the tokens of the tables that take vocabulary indices (Full tables); null when none does.</summary>
    public VocabularyMapper? Vocabulary { get; init; }

    /// <summary>The statistics the batches are standardized with: <see cref="Statistics"/> or, without it, those of these files.</summary>
    public DenseStatistics ResolvedStatistics => _statistics.Value;

    /// <summary>Other files of the same columns, read with this data's statistics and vocabulary (evaluation, prediction),
    /// one after another.</summary>
    public TabularData WithFiles(params string[] files) => Copy(files, Vocabulary, ResolvedStatistics, filesAtOnce: 1);

    /// <summary>The same files with <paramref name="mapper"/> applied to every batch.</summary>
    public TabularData WithVocabulary(VocabularyMapper? mapper) => WithVocabulary(mapper, ResolvedStatistics);

    /// <summary>The same files with <paramref name="mapper"/> applied to every batch, standardized with <paramref name="statistics"/>
    /// (a resumed run's, from its checkpoint).</summary>
    public TabularData WithVocabulary(VocabularyMapper? mapper, DenseStatistics statistics) => Copy(Files, mapper, statistics, FilesAtOnce);

    /// <summary>These settings over <paramref name="files"/>: the one place a copy lists them.</summary>
    private TabularData Copy(IReadOnlyList<string> files, VocabularyMapper? vocabulary, DenseStatistics statistics, int filesAtOnce) =>
        new(Declaration, files, Delimiter)
        {
            Labeled = Labeled,
            ListSeparator = ListSeparator,
            Statistics = statistics,
            Vocabulary = vocabulary,
            FilesAtOnce = filesAtOnce,
            DecodeThreads = DecodeThreads,
            Ahead = Ahead,
        };

    /// <summary>The files opened ahead (<see cref="OpenAhead(int)"/>), shared with the copies, which read the same files.</summary>
    private ReadersOpenedAhead Ahead { get; init; } = new();

    DenseStatistics IFittedData.Statistics => ResolvedStatistics;

    /// <summary>The vocabulary of the model's tables over these files (token column t is table t).</summary>
    public Vocabulary BuildVocabulary(long minCount, IReadOnlyDictionary<int, long>? maxIds = null) =>
        VocabularyBuilder.Build(WithVocabulary(null), minCount, maxIds);

    IFittedData IFittedData.WithVocabulary(VocabularyMapper? mapper) => WithVocabulary(mapper);

    /// <summary>The file names.</summary>
    public string Description => string.Join(", ", Files.Select(Path.GetFileName));

    /// <summary>A cursor from <paramref name="start"/> (file, data rows of it consumed) yielding batches of up to <paramref name="batchSize"/> rows.</summary>
    public IBatchCursor Open(DataPosition start, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        DenseStatistics statistics = ResolvedStatistics;
        ModelColumns columns = ModelColumns.For(Declaration, statistics);
        // As Criteo files: a saved position resumes as it was read; only a pass from the start follows FilesAtOnce.
        int lanes = start != DataPosition.Start ? 1 : LanesFromStart;
        InterleavedPosition? interleaved = start.Interleaved ?? (lanes >= 2 ? InterleavedPosition.Begin(start, lanes, Files.Count) : null);
        int threads = ThreadsPerFile(interleaved?.Lanes.Count ?? 1);
        // Only a pass from the start opens every file at its first row, as the files opened ahead were.
        Func<string, ITabularFileReader> open = start == DataPosition.Start
            ? path => Ahead.Take(new(path, statistics, Labeled, threads)) ?? OpenFile(path, columns, threads)
            : path => OpenFile(path, columns, threads);
        IBatchCursor OpenLane(DataPosition place, int stride)
        {
            var cursor = new TabularCursor(Files, open, place, Declaration, batchSize, Vocabulary, stride);
            return new PrefetchingCursor(cursor, cursor.Current);
        }
        return interleaved is null ? OpenLane(start, 1) : new InterleavedCursor(interleaved, OpenLane);
    }

    /// <summary>
    /// Opens the files a pass from the start reads first (one per file read at once) on threads of their own, and
    /// begins decoding their first rows, so that the next <see cref="Open(DataPosition, int)"/> from <see cref="DataPosition.Start"/> of
    /// this data or of a copy with the same statistics (<see cref="WithVocabulary(VocabularyMapper?)"/>) finds them
    /// ready: a run builds its model meanwhile. The batches, positions and errors are those of opening them then (an
    /// error is thrown when the cursor reaches the file). Dispose the result when done reading, to close the files no
    /// cursor took. Opens nothing while the statistics are still to be measured: that pass comes first, over every file.
    /// </summary>
    /// <param name="batchSize">The batch size the cursor will be opened with: a first batch's rows decode first.</param>
    public IDisposable OpenAhead(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (!_statistics.IsValueCreated && Statistics is null && ModelColumns.Standardized(Declaration).Count > 0) return Ahead;
        DenseStatistics statistics = ResolvedStatistics;
        ModelColumns columns = ModelColumns.For(Declaration, statistics);
        int lanes = LanesFromStart, threads = ThreadsPerFile(lanes);
        foreach (string path in Files.Take(lanes).Distinct())
            Ahead.Begin(new(path, statistics, Labeled, threads), batchSize, () => OpenFile(path, columns, threads));
        return Ahead;
    }

    /// <summary>Files read at once by a pass from the start (<see cref="FilesAtOnce"/>, 0 resolved).</summary>
    private int LanesFromStart => FilesAtOnce == 0 ? AutomaticFilesAtOnce(Files) : FilesAtOnce;

    /// <summary>What <see cref="FilesAtOnce"/> = 0 reads at once: two or more files as many as half the cores (at least two, at most the files).</summary>
    public static int AutomaticFilesAtOnce(IReadOnlyList<string> files) =>
        files.Count >= 2 ? Math.Min(files.Count, Math.Max(2, Environment.ProcessorCount / 2)) : 1;

    /// <summary>Threads decoding each Parquet file when <paramref name="files"/> are read at once: <see cref="DecodeThreads"/>, or the cores shared among them.</summary>
    private int ThreadsPerFile(int files) => DecodeThreads > 0 ? DecodeThreads : Math.Max(1, Environment.ProcessorCount / Math.Max(1, files));

    private ITabularFileReader OpenFile(string path, ModelColumns columns, int threads) => TabularFormats.Detect(path) == TabularFormat.Parquet
        ? new ParquetRowReader(path, columns, Labeled, threads)
        : new DelimitedFileReader(path, columns, Delimiter, Labeled, ResolvedListSeparator);

    /// <summary>One pass over the files: mean and standard deviation of each standardized column's present values.</summary>
    private DenseStatistics Measure()
    {
        IReadOnlyList<string> standardized = ModelColumns.Standardized(Declaration);
        if (standardized.Count == 0) return DenseStatistics.None;
        ModelColumns raw = ModelColumns.Raw(Declaration);
        int dense = Declaration.DenseFeatures;
        int[] positions = standardized.Select(name => Declaration.DenseColumns.IndexOf(Declaration.DenseColumns.First(c => c.Name == name))).ToArray();
        var sums = new (long Count, double Sum, double Squares)[positions.Length];
        using (var cursor = new TabularCursor(Files, path => OpenFile(path, raw, ThreadsPerFile(1)), DataPosition.Start, Declaration, 8192, null))
        {
            while (cursor.MoveNext())
            {
                Batch batch = cursor.Current;
                for (int r = 0; r < batch.Count; r++)
                {
                    for (int k = 0; k < positions.Length; k++)
                    {
                        double x = batch.Dense[r * dense + positions[k]];
                        if (double.IsNaN(x)) continue;
                        sums[k] = (sums[k].Count + 1, sums[k].Sum + x, sums[k].Squares + x * x);
                    }
                }
            }
        }
        return DenseStatistics.FromSums(standardized.Select((name, k) => (name, sums[k])).ToDictionary(p => p.name, p => p.Item2));
    }
}
