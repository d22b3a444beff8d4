using System.Collections.Immutable;

namespace RobeGen;

/// <summary>
/// Where every table's embeddings live in the model's one flat embedding parameter array, for one run.
/// The ROBE array (if any table uses it) occupies [0, m); Full and Hashed tables follow, one d-wide row per
/// row. The declaration gives the defaults; <see cref="EmbeddingOverrides"/> changes slots, block size,
/// storage or rows at run time (a storage or block size other than the declared one runs the generic kernels:
/// <see cref="MatchesDeclaredKernels"/>).
/// </summary>
public sealed class EmbeddingLayout
{
    private EmbeddingLayout(ModelDeclaration declaration, long robeSlots, int blockSize,
        ImmutableArray<EmbeddingStorage> storage, ImmutableArray<long> rows, ImmutableArray<long> quotientRows, ImmutableArray<long> tableBase, long total,
        QuotientRemainderInit quotientRemainderInit)
    {
        QuotientRemainderInit = quotientRemainderInit;
        Declaration = declaration;
        RobeSlots = robeSlots;
        BlockSize = blockSize;
        Storage = storage;
        Rows = rows;
        QuotientRows = quotientRows;
        TableBase = tableBase;
        TotalParameters = total;
        Pooling = declaration.Tables.Select(t => t.Pooling).ToImmutableArray();
        MatchesDeclaredKernels = storage.SequenceEqual(declaration.Tables.Select(t => t.Storage))
            && (!storage.Contains(EmbeddingStorage.Robe) || IsDeclaredBlockSize);
    }

    /// <summary>The declaration the layout belongs to.</summary>
    public ModelDeclaration Declaration { get; }
    /// <summary>Embedding width d.</summary>
    public int Dim => Declaration.EmbeddingDim;
    /// <summary>Number of tables.</summary>
    public int TableCount => Declaration.TableCount;
    /// <summary>The ROBE addressing formula.</summary>
    public RobeVariant Variant => Declaration.Variant;
    /// <summary>True when some table's tokens are vocabulary indices: a Full table, or a model declared with
    /// <see cref="TokenKind.Vocabulary"/> (every table).</summary>
    public bool TakesVocabularyIndices => Declaration.Tokens == TokenKind.Vocabulary || Storage.Contains(EmbeddingStorage.Full);
    /// <summary>Slot count m of the ROBE array in this run (0 when no table uses it).</summary>
    public long RobeSlots { get; }
    /// <summary>Block size Z of the ROBE tables in this run.</summary>
    public int BlockSize { get; }
    /// <summary>True when Z is the declared one.</summary>
    public bool IsDeclaredBlockSize => BlockSize == Declaration.BlockSize;
    /// <summary>
    /// True when the declaration's generated kernels serve this layout: every table keeps its declared storage and, when
    /// some table reads the ROBE array, Z is the declared one. Those are compile-time facts of the generated code (its
    /// unrolled blocks and per-storage code paths); m, the rows of Full and Hashed tables and the sizes Q and R of
    /// QuotientRemainder tables stay run-time arguments. Any other layout (a run-time storage or Z) runs the generic,
    /// hand-written kernels.
    /// </summary>
    public bool MatchesDeclaredKernels { get; }
    /// <summary>Storage of each table in this run.</summary>
    public ImmutableArray<EmbeddingStorage> Storage { get; }
    /// <summary>How each table pools a multi-hot cell (a declaration fact: <see cref="EmbeddingTable.Pooling"/>); the bag
    /// kernels (<see cref="IEmbeddingKernels.GatherBags"/>) read it, a single-hot table's <see cref="RobeGen.Pooling.None"/>
    /// cell of one id pools like Sum.</summary>
    public ImmutableArray<Pooling> Pooling { get; }
    /// <summary>True when some table is multi-hot: the model's batches hold bags (<see cref="Data.Batch.IsMultiHot"/>).</summary>
    public bool HasMultiHotTables => Declaration.HasMultiHotTables;
    /// <summary>Rows of each Full or Hashed table, the remainder rows R of a QuotientRemainder table (0 for ROBE tables).</summary>
    public ImmutableArray<long> Rows { get; }
    /// <summary>Quotient rows Q of each QuotientRemainder table (0 for the others): ids x &lt; Q * R read Q[x div R] * Rm[x mod R].</summary>
    public ImmutableArray<long> QuotientRows { get; }
    /// <summary>Offset of each Full, Hashed or QuotientRemainder table's row 0 in the flat array (0 for ROBE tables);
    /// a QuotientRemainder table's remainder rows start Q * d after it.</summary>
    public ImmutableArray<long> TableBase { get; }
    /// <summary>Floats in the flat embedding parameter array.</summary>
    public long TotalParameters { get; }
    /// <summary>Blocks per ROBE embedding: ceil(d / Z); the last may be partial.</summary>
    public int RobeBlocks => (Dim + BlockSize - 1) / BlockSize;
    /// <summary>How QuotientRemainder tables start (ModelInitializer reads it; the trained weights do not depend on it otherwise).</summary>
    public QuotientRemainderInit QuotientRemainderInit { get; }
    /// <summary>True when some table is QuotientRemainder: its embedding is a product of two rows, so its gradient needs the weights.</summary>
    public bool HasQuotientRemainder => Storage.Contains(EmbeddingStorage.QuotientRemainder);
    /// <summary>
    /// Stride of the per-(sample, table) block-start records: the most blocks any table reads (a ROBE table RobeBlocks,
    /// a Full or Hashed row 1, a QuotientRemainder pair 2: the quotient row's start, then the remainder row's).
    /// </summary>
    public int MaxBlocks => Math.Max(Storage.Contains(EmbeddingStorage.Robe) ? RobeBlocks : 1, HasQuotientRemainder ? 2 : 1);

    /// <summary>Parameter counts and bytes under this layout.</summary>
    public ModelSize Size => new(TotalParameters, Declaration.MlpParameterCount, Declaration.FullTableParameterCount);

    /// <summary>The layout of <paramref name="declaration"/> with <paramref name="overrides"/> applied (the declared one without).</summary>
    public static EmbeddingLayout FromDeclaration(ModelDeclaration declaration, EmbeddingOverrides? overrides = null)
    {
        overrides ??= EmbeddingOverrides.None;
        int tables = declaration.TableCount;
        var storage = new EmbeddingStorage[tables];
        var rows = new long[tables];
        var quotientRows = new long[tables];
        for (int t = 0; t < tables; t++)
        {
            EmbeddingTable table = declaration.Tables[t];
            storage[t] = overrides.StorageFor(t) ?? overrides.Storage ?? table.Storage;
            rows[t] = storage[t] switch
            {
                EmbeddingStorage.Robe => 0,
                EmbeddingStorage.Full => overrides.RowsFor(t) ?? table.Cardinality,
                EmbeddingStorage.Hashed => overrides.RowsFor(t) ?? (table.Rows > 0 ? table.Rows : HashedRowsFor(table, overrides)),
                EmbeddingStorage.QuotientRemainder => overrides.RowsFor(t) ?? table.Rows,
                _ => throw new ArgumentOutOfRangeException(nameof(overrides), storage[t], "unknown storage"),
            };
            if (storage[t] != EmbeddingStorage.Robe && rows[t] < 1)
                throw new ArgumentException(
                    $"Table {table.Name} ({storage[t]}) needs a row count: declare Cardinality (Full) or Rows (Hashed, QuotientRemainder), or pass one in EmbeddingOverrides.",
                    nameof(overrides));
            if (storage[t] == EmbeddingStorage.QuotientRemainder)
                quotientRows[t] = QuotientRowsFor(table, rows[t], overrides.QuotientRowsFor(t));
        }

        bool anyRobe = storage.Contains(EmbeddingStorage.Robe);
        int blockSize = overrides.BlockSize ?? declaration.BlockSize;
        long slots = anyRobe ? overrides.RobeSlots ?? declaration.RobeSlots : 0;
        if (anyRobe)
        {
            if (blockSize < 1 || blockSize > declaration.EmbeddingDim)
                throw new ArgumentException($"Block size {blockSize} must be between 1 and the embedding dim {declaration.EmbeddingDim}.", nameof(overrides));
            if (slots < blockSize)
                throw new ArgumentException($"The ROBE array needs at least Z = {blockSize} slots; got {slots}.", nameof(overrides));
        }

        var tableBase = new long[tables];
        long next = slots;
        for (int t = 0; t < tables; t++)
        {
            if (storage[t] == EmbeddingStorage.Robe) continue;
            tableBase[t] = next;
            next = checked(next + (quotientRows[t] + rows[t]) * declaration.EmbeddingDim);
        }
        return new EmbeddingLayout(declaration, slots, blockSize, storage.ToImmutableArray(), rows.ToImmutableArray(),
            quotientRows.ToImmutableArray(), tableBase.ToImmutableArray(), next, overrides.QuotientRemainderInit);
    }

    /// <summary>Quotient rows of a QuotientRemainder table with <paramref name="remainderRows"/> remainder rows: the override, else ceil(cardinality / R).</summary>
    private static long QuotientRowsFor(EmbeddingTable table, long remainderRows, long? overridden)
    {
        if (overridden is long q) return q;
        if (table.Cardinality < 1)
            throw new ArgumentException(
                $"Table {table.Name} (QuotientRemainder) needs its id count: declare Cardinality, or pass QuotientRows in EmbeddingOverrides.", "overrides");
        return (table.Cardinality + remainderRows - 1) / remainderRows;
    }

    private static long HashedRowsFor(EmbeddingTable table, EmbeddingOverrides overrides)
    {
        // A compression ratio applied to a Hashed table keeps at least one row.
        if (overrides.HashedCompression is double ratio && table.Cardinality > 0)
            return Math.Max(1, (long)Math.Ceiling(table.Cardinality / ratio));
        return 0;
    }

    /// <summary>The ROBE slot count that compresses the declaration's full tables by <paramref name="ratio"/>.</summary>
    public static long SlotsForCompression(ModelDeclaration declaration, double ratio)
    {
        if (ratio <= 0) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "compression ratio must be positive");
        if (declaration.FullTableParameterCount == 0)
            throw new InvalidOperationException($"{declaration.Name} declares no cardinalities, so a compression ratio has no meaning; give the slot count instead.");
        return Math.Max(declaration.EmbeddingDim, (long)Math.Round(declaration.FullTableParameterCount / ratio));
    }
}

/// <summary>Run-time changes to a declaration's embedding layout (null keeps the declared value).</summary>
public sealed record EmbeddingOverrides
{
    /// <summary>No override: the declared layout.</summary>
    public static readonly EmbeddingOverrides None = new();

    /// <summary>Store every table this way instead of its declared storage.</summary>
    public EmbeddingStorage? Storage { get; init; }
    /// <summary>Per-table storage (index = table index); wins over <see cref="Storage"/>.</summary>
    public IReadOnlyList<EmbeddingStorage>? TableStorage { get; init; }
    /// <summary>Slot count m of the ROBE array.</summary>
    public long? RobeSlots { get; init; }
    /// <summary>Block size Z of the ROBE tables (a Z other than the declared one runs a generic, not unrolled, loop).</summary>
    public int? BlockSize { get; init; }
    /// <summary>Per-table rows for Full tables (a vocabulary's size) or Hashed tables; index = table index.</summary>
    public IReadOnlyList<long>? Rows { get; init; }
    /// <summary>For Hashed tables without declared rows: rows = ceil(cardinality / ratio).</summary>
    public double? HashedCompression { get; init; }
    /// <summary>How QuotientRemainder tables are initialized (the reference's U(sqrt(1/n), 1) by default).</summary>
    public QuotientRemainderInit QuotientRemainderInit { get; init; }
    /// <summary>Per-table quotient rows Q of QuotientRemainder tables (index = table index; default ceil(cardinality / R), R from <see cref="Rows"/>).</summary>
    public IReadOnlyList<long>? QuotientRows { get; init; }

    internal EmbeddingStorage? StorageFor(int table) => TableStorage is { } s && table < s.Count ? s[table] : null;

    internal long? RowsFor(int table) => Rows is { } r && table < r.Count && r[table] > 0 ? r[table] : null;

    internal long? QuotientRowsFor(int table) => QuotientRows is { } q && table < q.Count && q[table] > 0 ? q[table] : null;
}
