using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Synthetic;

namespace RobeGen.Training;

/// <summary>How a run stores its embeddings: the storage of every table and how hard to compress it (null keeps the declaration's).</summary>
/// <param name="Storage">Storage of every table.</param>
/// <param name="Compression">Compress the full tables this many times (ROBE slots, Hashed rows or QuotientRemainder Q and R follow from it).</param>
/// <param name="Slots">ROBE slot count m (instead of <paramref name="Compression"/>).</param>
/// <param name="BlockSize">ROBE block size Z.</param>
/// <param name="QuotientRemainderInit">How QuotientRemainder tables start (the reference's by default).</param>
/// <param name="CappedHashing">
/// Hashed tables at a compression ratio: instead of cardinality / ratio rows each (which leaves a 4-id table one row
/// at 10x), give every table min(cardinality, cap) rows with the one cap that spends the same memory: small tables stay
/// exact and the big ones share the rest, as a hashing-trick user sets a bucket limit per feature.
/// </param>
public sealed record StorageChoice(EmbeddingStorage? Storage = null, double? Compression = null, long? Slots = null, int? BlockSize = null, bool CappedHashing = false,
    QuotientRemainderInit QuotientRemainderInit = QuotientRemainderInit.Reference);

/// <summary>A freshly built model with the settings and vocabulary it was built with.</summary>
/// <param name="Model">The model.</param>
/// <param name="Options">The options it was built with.</param>
/// <param name="Vocabulary">The vocabulary counted over the training data (null when none was counted).</param>
/// <param name="SyntheticIndices">True when the model takes vocabulary indices and its synthetic rows give them (their
/// ranks, <see cref="SyntheticTrainingData.ForIndices"/>) instead of a counted vocabulary.</param>
public sealed record NewModel(IDlrmBackend Model, ModelOptions Options, Vocabulary? Vocabulary, bool SyntheticIndices = false)
{
    /// <summary>The mapper that turns raw ids into this model's vocabulary indices (null when no table needs it, or the
    /// data gives indices).</summary>
    public VocabularyMapper? Mapper => SyntheticIndices ? null : VocabularyMapper.For(Vocabulary, Model.Layout);
}

/// <summary>
/// Builds a model for training from a declaration, a storage choice and the training data: the one path that
/// <c>robegen train</c> and <c>robegen sweep</c> share. Full tables (and vocabulary-token models) get a vocabulary
/// counted over the training data; over synthetic rows (with min count 1) they take the rows' ranks as indices instead,
/// with one row per id of the column's cardinality, and nothing is counted.
/// </summary>
public static class ModelSetup
{
    /// <param name="definition">The generated model.</param>
    /// <param name="options">Device, threads, batch size, seed and optimizer (its Embedding is replaced).</param>
    /// <param name="storage">Storage and compression of the tables.</param>
    /// <param name="rawTraining">Training data not yet shaped for the model (26 token columns in Criteo order).</param>
    /// <param name="minCount">Full tables: ids seen fewer times share row 0.</param>
    /// <param name="fullRows">Per-table row counts the compression ratio is taken against (default: the declared cardinalities).</param>
    /// <param name="log">Progress messages (optional).</param>
    public static NewModel Create(IDlrmDefinition definition, ModelOptions options, StorageChoice storage, ITrainingData rawTraining,
        long minCount = 1, IReadOnlyList<long>? fullRows = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        ModelDeclaration declaration = definition.Declaration;
        EmbeddingOverrides overrides = Overrides(declaration, storage, fullRows);
        Vocabulary? vocabulary = null;
        bool syntheticIndices = false, takesIndices = NeedsVocabulary(declaration, overrides);
        if (takesIndices && rawTraining is SyntheticTrainingData synthetic && minCount <= 1)
        {
            // The generator knows every id's rank: a pass over the rows (as long as the training for a billion of them)
            // would only rediscover it. Unlike a counted vocabulary, ids the training never draws keep rows of their own.
            log?.Invoke($"{rawTraining.Description}: the model takes vocabulary indices, given as the ids' ranks (no vocabulary pass)");
            overrides = WithFullRows(declaration, overrides, synthetic.IndexRows);
            syntheticIndices = true;
        }
        else if (takesIndices)
        {
            log?.Invoke(declaration.Tokens == TokenKind.Vocabulary
                ? $"building the vocabulary of every column over {rawTraining.Description} (the model takes vocabulary indices; min count {minCount})..."
                : $"building the vocabulary of the Full tables over {rawTraining.Description} (min count {minCount})...");
            vocabulary = BuildVocabulary(rawTraining, minCount);
            overrides = WithVocabularyRows(declaration, overrides, vocabulary);
        }
        ModelOptions built = options with { Embedding = overrides };
        return new NewModel(Dlrm.Create(definition, built, log), built, vocabulary, syntheticIndices);
    }

    /// <summary>The layout overrides of a storage choice; a compression ratio is taken against <paramref name="fullRows"/> (default: the declared cardinalities).</summary>
    public static EmbeddingOverrides Overrides(ModelDeclaration declaration, StorageChoice choice, IReadOnlyList<long>? fullRows = null)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        ArgumentNullException.ThrowIfNull(choice);
        if (choice.Compression is not null && choice.Slots is not null) throw new ArgumentException("Give either a compression ratio or a slot count, not both.");
        if (fullRows is not null && fullRows.Count != declaration.TableCount)
            throw new ArgumentException($"{declaration.Name} has {declaration.TableCount} tables; {fullRows.Count} full row counts were given.", nameof(fullRows));
        var overrides = new EmbeddingOverrides { Storage = choice.Storage, BlockSize = choice.BlockSize, QuotientRemainderInit = choice.QuotientRemainderInit };
        EmbeddingStorage storage = choice.Storage ?? EmbeddingStorage.Robe;
        if (choice.Compression is double ratio)
        {
            if (!(ratio > 0)) throw new ArgumentException($"The compression ratio must be positive; got {ratio}.");
            overrides = storage switch
            {
                EmbeddingStorage.Robe => overrides with { RobeSlots = fullRows is null ? EmbeddingLayout.SlotsForCompression(declaration, ratio) : SlotsFor(declaration, fullRows, ratio) },
                EmbeddingStorage.Hashed when choice.CappedHashing =>
                    overrides with { Rows = CappedRows(fullRows ?? declaration.Tables.Select(t => t.Cardinality).ToArray(), ratio) },
                EmbeddingStorage.Hashed => fullRows is null
                    ? overrides with { HashedCompression = ratio }
                    : overrides with { Rows = fullRows.Select(rows => Math.Max(1, (long)Math.Ceiling(rows / ratio))).ToArray() },
                EmbeddingStorage.QuotientRemainder => WithQuotientRemainder(overrides,
                    QuotientRemainderSizing.ForCompression(fullRows ?? declaration.Tables.Select(t => t.Cardinality).ToArray(), ratio)),
                _ => throw new ArgumentException("A compression ratio applies to robe, hashed and quotientremainder storage; Full tables have one row per vocabulary id."),
            };
        }
        if (choice.Slots is long m) overrides = overrides with { RobeSlots = m };
        return overrides;
    }

    private static EmbeddingOverrides WithQuotientRemainder(EmbeddingOverrides overrides, QuotientRemainderSplit[] splits) =>
        overrides with { Rows = splits.Select(s => s.RemainderRows).ToArray(), QuotientRows = splits.Select(s => s.QuotientRows).ToArray() };

    /// <summary>True when some table needs vocabulary indices: a Full table, or a model declared with vocabulary tokens.</summary>
    public static bool NeedsVocabulary(ModelDeclaration declaration, EmbeddingOverrides overrides) =>
        declaration.Tokens == TokenKind.Vocabulary
        || Enumerable.Range(0, declaration.TableCount).Any(t => (overrides.Storage ?? declaration.Tables[t].Storage) == EmbeddingStorage.Full);

    /// <summary>Counts the ids of every categorical column over <paramref name="rawData"/> (one pass) and keeps those seen minCount times.</summary>
    public static Vocabulary BuildVocabulary(ITrainingData rawData, long minCount)
    {
        ArgumentNullException.ThrowIfNull(rawData);
        return VocabularyBuilder.Build(rawData, minCount);
    }

    /// <summary>Sizes every Full table to its vocabulary (ids + row 0), keeping the other tables' rows.</summary>
    public static EmbeddingOverrides WithVocabularyRows(ModelDeclaration declaration, EmbeddingOverrides overrides, Vocabulary vocabulary) =>
        WithFullRows(declaration, overrides, vocabulary.Rows);

    /// <summary>Gives every Full table rowsOfColumn(its column) rows, keeping the other tables' rows.</summary>
    private static EmbeddingOverrides WithFullRows(ModelDeclaration declaration, EmbeddingOverrides overrides, Func<int, long> rowsOfColumn) =>
        overrides with
        {
            Rows = declaration.Tables
                .Select(t => (overrides.StorageFor(t.Index) ?? overrides.Storage ?? t.Storage) == EmbeddingStorage.Full
                    ? rowsOfColumn(t.Column)
                    : overrides.Rows is { } rows && t.Index < rows.Count ? rows[t.Index] : 0)
                .ToArray(),
        };

    /// <summary>ROBE slots that compress tables of <paramref name="fullRows"/> rows (times the dim) by <paramref name="ratio"/>.</summary>
    public static long SlotsFor(ModelDeclaration declaration, IReadOnlyList<long> fullRows, double ratio) =>
        Math.Max(declaration.EmbeddingDim, (long)Math.Round(fullRows.Sum() * (double)declaration.EmbeddingDim / ratio));

    /// <summary>
    /// Rows min(full_t, cap) per table, with the largest cap whose total stays within sum(full) / ratio (water-filling
    /// from the smallest table up); every table keeps at least one row.
    /// </summary>
    public static long[] CappedRows(IReadOnlyList<long> fullRows, double ratio)
    {
        ArgumentNullException.ThrowIfNull(fullRows);
        if (!(ratio >= 1)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "A compression ratio below 1 would grow the tables.");
        if (fullRows.Any(r => r < 1)) throw new ArgumentException("Capped hashing needs every table's cardinality.", nameof(fullRows));
        double budget = fullRows.Sum() / ratio;
        int[] order = Enumerable.Range(0, fullRows.Count).OrderBy(t => fullRows[t]).ToArray();
        var rows = new long[fullRows.Count];
        for (int i = 0; i < order.Length; i++)
        {
            int left = order.Length - i;
            double cap = budget / left;
            long take = fullRows[order[i]] <= cap ? fullRows[order[i]] : Math.Max(1, (long)Math.Floor(cap));
            rows[order[i]] = take;
            budget -= take;
        }
        return rows;
    }
}
