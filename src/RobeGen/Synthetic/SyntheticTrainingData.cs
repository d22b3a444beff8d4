using RobeGen.Data;

namespace RobeGen.Synthetic;

/// <summary>
/// A range of synthetic rows streamed straight into training, without a file: rows
/// <see cref="FirstRow"/> .. <see cref="FirstRow"/> + <see cref="Rows"/> - 1 of a <see cref="SyntheticGenerator"/>.
/// A position's line is the row offset in the range (file index 0), so checkpoints resume exactly.
/// </summary>
public sealed class SyntheticTrainingData : ITrainingData
{
    /// <summary>Where evaluation ranges start by convention: far from any training range, so the rows never overlap.</summary>
    public const long EvaluationRowBase = 1L << 48;

    /// <summary>Rows <paramref name="firstRow"/> .. <paramref name="firstRow"/> + <paramref name="rows"/> of <paramref name="generator"/>.</summary>
    public SyntheticTrainingData(SyntheticGenerator generator, long firstRow, long rows)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        Generator = generator;
        FirstRow = firstRow;
        Rows = rows;
    }

    /// <summary>The generator the rows come from.</summary>
    public SyntheticGenerator Generator { get; }
    /// <summary>Index of the first row.</summary>
    public long FirstRow { get; }
    /// <summary>Number of rows.</summary>
    public long Rows { get; }
    /// <summary>Rewrites the tokens of Full tables to vocabulary indices (null when no table needs it).</summary>
    public VocabularyMapper? Vocabulary { get; init; }
    /// <summary>Picks the model's columns out of each batch (null: the model reads all 13 + 26 in order).</summary>
    internal ColumnProjection? Projection { get; init; }

    /// <summary>The generator and the row range.</summary>
    public string Description =>
        FormattableString.Invariant($"synthetic rows {FirstRow:N0}..{FirstRow + Rows - 1:N0} (seed {Generator.Spec.Seed}, {Generator.Spec.Cardinalities.Sum():N0} ids{(Generator.GivesIndices ? " given as vocabulary indices" : "")}, Zipf {Generator.Spec.ZipfExponent}, CTR {Generator.Spec.TargetCtr}, token signal {Generator.Spec.TokenSignal}{Generator.Spec.TeacherNote})");

    /// <summary>Rows a Full table over token column <paramref name="column"/> needs for these rows' indices (<see cref="ForIndices"/>):
    /// the column's cardinality plus row 0.</summary>
    public long IndexRows(int column) => Generator.Spec.Cardinalities[column] + 1;

    /// <summary>
    /// The same rows with every token given as its vocabulary index (<see cref="SyntheticGenerator.ForIndices"/>): what a
    /// model that takes indices reads when no vocabulary was counted. Throws when a mapper is set (ids mapped twice).
    /// </summary>
    public SyntheticTrainingData ForIndices()
    {
        if (Vocabulary is not null) throw new InvalidOperationException("These rows are mapped through a vocabulary; rows given as indices need none.");
        return new(Generator.ForIndices(), FirstRow, Rows) { Projection = Projection, MultiHotShape = MultiHotShape };
    }

    /// <summary>
    /// Checks that every Full table of <paramref name="layout"/> has a row for each index these rows give (a run resumed
    /// with other cardinalities than it began with would otherwise read past its tables).
    /// </summary>
    public void CheckIndicesFit(EmbeddingLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        for (int t = 0; t < layout.TableCount; t++)
        {
            EmbeddingTable table = layout.Declaration.Tables[t];
            if (layout.Storage[t] != EmbeddingStorage.Full || table.Column >= SyntheticGenerator.TokenColumns) continue;
            long needed = IndexRows(table.Column);
            if (layout.Rows[t] < needed)
                throw new ArgumentException(FormattableString.Invariant(
                    $"Full table {table.Name} has {layout.Rows[t]:N0} rows but synthetic column {RobeGen.Data.Vocabulary.ColumnName(table.Column)} gives indices up to {needed - 1:N0}: use the cardinalities the model was built with."),
                    nameof(layout));
        }
    }

    /// <summary>A multi-hot model's shape (its dense features and each table's token column): the rows are generated as
    /// bags straight into its batches (null for single-hot rows).</summary>
    internal (int Dense, int[] Columns)? MultiHotShape { get; init; }

    /// <summary>The same rows with <paramref name="mapper"/> applied to every batch.</summary>
    public SyntheticTrainingData WithVocabulary(VocabularyMapper? mapper)
    {
        if (mapper is not null && Generator.GivesIndices) throw new InvalidOperationException("These rows give vocabulary indices already; they take no vocabulary mapper.");
        return new(Generator, FirstRow, Rows) { Vocabulary = mapper, Projection = Projection, MultiHotShape = MultiHotShape };
    }

    /// <summary>The same rows shaped for <paramref name="declaration"/>'s dense features and tables; for a model with
    /// multi-hot tables, multi-hot rows (<see cref="SyntheticGenerator.ForMultiHot"/>) in multi-hot batches.</summary>
    public SyntheticTrainingData ForModel(ModelDeclaration declaration)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        if (!declaration.HasMultiHotTables)
            return new(Generator, FirstRow, Rows) { Vocabulary = Vocabulary, Projection = ColumnProjection.For(declaration) };
        ColumnProjection.CheckFitsCriteoShape(declaration);
        return new(Generator.IsMultiHot ? Generator : Generator.ForMultiHot(declaration), FirstRow, Rows)
        {
            Vocabulary = Vocabulary,
            MultiHotShape = (declaration.DenseFeatures, declaration.Tables.Select(t => t.Column).ToArray()),
        };
    }

    /// <summary>A cursor from <paramref name="start"/> yielding batches of up to <paramref name="batchSize"/> rows.</summary>
    public IBatchCursor Open(DataPosition start, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (start.FileIndex != 0 || start.Line < 0 || start.Line > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"A synthetic range of {Rows:N0} rows has positions file 0, line 0..{Rows}.");
        return new Cursor(this, start.Line, batchSize);
    }

    /// <summary>
    /// Generates the next batch on the thread pool while the caller trains on the current one (two buffers, swapped
    /// at each <see cref="MoveNext"/>): on a GPU the rows are made while the device computes.
    /// </summary>
    private sealed class Cursor : IBatchCursor
    {
        private readonly SyntheticTrainingData _owner;
        private readonly int _batchSize;
        private readonly Batch? _projected;
        private Batch _current, _spare;
        private Task? _pending;
        private long _pendingRows;
        private long _next;

        public Cursor(SyntheticTrainingData owner, long next, int batchSize)
        {
            (_owner, _batchSize, _next) = (owner, batchSize, next);
            if (owner.MultiHotShape is var (dense, columns))
            {
                int idsPerCell = Math.Max(1, (int)Math.Ceiling(columns.Average(c => (double)owner.Generator.MaxIds(c))));
                _current = new Batch(batchSize, dense, columns.Length, multiHot: true, idsPerCell);
                _spare = new Batch(batchSize, dense, columns.Length, multiHot: true, idsPerCell);
            }
            else
            {
                _current = new Batch(batchSize, SyntheticGenerator.DenseColumns, SyntheticGenerator.TokenColumns);
                _spare = new Batch(batchSize, SyntheticGenerator.DenseColumns, SyntheticGenerator.TokenColumns);
                _projected = owner.Projection?.CreateTarget(batchSize);
            }
            StartNext(next);
        }

        public Batch Current => _projected ?? _current;
        public DataPosition Position => new(0, _next);

        public bool MoveNext()
        {
            if (_pending is null) return false;
            _pending.GetAwaiter().GetResult();
            (_current, _spare) = (_spare, _current);
            _next += _pendingRows;
            StartNext(_next);
            if (_owner.Projection is { } projection) projection.Project(_current, _projected!);
            _owner.Vocabulary?.Map(Current);
            return true;
        }

        /// <summary>Starts filling the spare buffer with the rows from <paramref name="from"/> (nothing at the end).</summary>
        private void StartNext(long from)
        {
            long left = _owner.Rows - from;
            if (left <= 0) { _pending = null; return; }
            int count = (int)Math.Min(left, _batchSize);
            Batch target = _spare;
            _pendingRows = count;
            // On the current scheduler, not Task.Run's: a pass read ahead on a few threads (ReplayedData.ReadAhead) keeps
            // its rows' drawing there, with the generator's parallel chunks.
            Action fill = _owner.MultiHotShape is var (dense, columns)
                ? () => _owner.Generator.FillBags(target, _owner.FirstRow + from, count, dense, columns)
                : () => _owner.Generator.Fill(target, _owner.FirstRow + from, count);
            _pending = Task.Factory.StartNew(fill, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Current);
        }

        public void Dispose()
        {
            // Let a generation in flight finish before the buffers go; its error (if any) belongs to a batch nobody asked for.
            try { _pending?.Wait(); } catch (AggregateException) { }
        }
    }
}
