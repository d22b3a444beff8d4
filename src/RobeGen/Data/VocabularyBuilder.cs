namespace RobeGen.Data;

/// <summary>
/// Counts ids per categorical column over batches (one pass over the training files), then keeps the ids seen
/// at least minCount times. Columns are counted in parallel, each by one thread, and the result is sorted by id,
/// so it does not depend on thread count or timing.
/// </summary>
public sealed class VocabularyBuilder
{
    private readonly int[] _columns;
    private readonly IdHashTable?[] _counts;

    /// <param name="columns">Categorical columns to count (all when null).</param>
    public VocabularyBuilder(IReadOnlyList<int>? columns = null, int totalColumns = CriteoSchema.CategoricalFeatures)
    {
        _columns = (columns ?? Enumerable.Range(0, totalColumns).ToArray()).Distinct().Order().ToArray();
        foreach (int c in _columns) ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)c, (uint)totalColumns, nameof(columns));
        _counts = new IdHashTable?[totalColumns];
        foreach (int c in _columns) _counts[c] = new IdHashTable();
    }

    /// <summary>Counts the raw ids of a batch, every id of every bag of a multi-hot batch (missing values are not counted). Batch token column c is column c.</summary>
    public void Add(Batch batch)
    {
        if (batch.Tables != _counts.Length)
            throw new ArgumentException($"The batch has {batch.Tables} token columns; this builder counts {_counts.Length}.", nameof(batch));
        Parallel.For(0, _columns.Length, k =>
        {
            int column = _columns[k];
            IdHashTable counts = _counts[column]!;
            int stride = batch.Tables;
            if (batch.IsMultiHot)
            {
                // Every id of every bag of the column (a single-hot cell is a bag of one).
                ulong[] ids = batch.BagIds;
                int[] offsets = batch.BagOffsets;
                for (int r = 0, cell = column; r < batch.Count; r++, cell += stride)
                    for (int i = offsets[cell]; i < offsets[cell + 1]; i++) Count(counts, ids[i], column);
                return;
            }
            ulong[] tokens = batch.Tokens;
            for (int r = 0, i = column; r < batch.Count; r++, i += stride) Count(counts, tokens[i], column);
        });
    }

    private static void Count(IdHashTable counts, ulong id, int column)
    {
        if (id == EmbeddingTable.MissingRawToken) return;
        if (id > uint.MaxValue) throw new ArgumentException($"Token {id} of {Vocabulary.ColumnName(column)} is not a raw 32-bit id.", "batch");
        ref uint count = ref counts.GetOrAdd(id);
        if (count != uint.MaxValue) count++;
    }

    /// <summary>
    /// The vocabulary of ids counted at least <paramref name="minCount"/> times; a column listed in <paramref name="maxIds"/>
    /// keeps only its that many most frequent ids (ties to the smaller id), so that they fit its table.
    /// </summary>
    public Vocabulary Build(long minCount = 1, IReadOnlyDictionary<int, long>? maxIds = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var ids = new ulong[]?[_counts.Length];
        Parallel.ForEach(_columns, column =>
        {
            var frequent = _counts[column]!.Entries().Where(e => e.Value >= minCount);
            if (maxIds is not null && maxIds.TryGetValue(column, out long max))
                frequent = frequent.OrderByDescending(e => e.Value).ThenBy(e => e.Id).Take((int)Math.Min(int.MaxValue, Math.Max(0, max)));
            ulong[] kept = frequent.Select(e => e.Id).ToArray();
            Array.Sort(kept);
            ids[column] = kept;
        });
        return new Vocabulary(ids);
    }

    /// <summary>One pass over <paramref name="data"/>: the vocabulary of every token column of its batches, ids seen minCount times.</summary>
    public static Vocabulary Build(ITrainingData data, long minCount, IReadOnlyDictionary<int, long>? maxIds = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        using IBatchCursor cursor = data.Open(DataPosition.Start, 8192);
        VocabularyBuilder? builder = null;
        while (cursor.MoveNext())
        {
            // Criteo data has 26 token columns whatever the model; a named model's data has one per table.
            builder ??= new VocabularyBuilder(totalColumns: cursor.Current.Tables);
            builder.Add(cursor.Current);
        }
        return (builder ?? new VocabularyBuilder()).Build(minCount, maxIds);
    }

    /// <summary>One pass over Criteo files: the vocabulary of <paramref name="columns"/> (all when null).</summary>
    public static Vocabulary Build(IReadOnlyList<string> files, CriteoLayout layout, long minCount,
        IReadOnlyList<int>? columns = null, CriteoReaderOptions? options = null)
    {
        var builder = new VocabularyBuilder(columns);
        using var reader = CriteoReader.Open(files, layout, options ?? new CriteoReaderOptions { BatchSize = 8192 });
        while (reader.MoveNext()) builder.Add(reader.Current);
        return builder.Build(minCount);
    }
}
