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
    /// Generates the next <see cref="Depth"/> batches on the thread pool while the caller trains on the current one: on a
    /// GPU the rows are made while the device computes. Each batch is drawn in parallel chunks over every core; with one
    /// batch at a time the last chunks of each leave cores idle while the batch waits for them (with 32 chunks on 15 free
    /// cores, a third of the last round), and a step that outlasts its batch's making then waits. Two in flight let the
    /// second fill those gaps. Every batch is a function of its first row alone, so the order of making changes nothing.
    /// </summary>
    private sealed class Cursor : IBatchCursor
    {
        /// <summary>Batches made ahead of the current one.</summary>
        internal const int Depth = 2;

        private readonly SyntheticTrainingData _owner;
        private readonly int _batchSize;
        private readonly Batch? _projected;
        private readonly Queue<(Task Fill, Batch Target, int Rows)> _pending = new();
        private readonly Stack<Batch> _free = new();
        private Batch? _current;
        /// <summary>The row after the current batch.</summary>
        private long _next;
        /// <summary>The row the next batch to be started begins at.</summary>
        private long _nextStart;

        public Cursor(SyntheticTrainingData owner, long next, int batchSize)
        {
            (_owner, _batchSize, _next, _nextStart) = (owner, batchSize, next, next);
            for (int i = 0; i <= Depth; i++) _free.Push(NewBatch());
            if (owner.MultiHotShape is null) _projected = owner.Projection?.CreateTarget(batchSize);
            StartAhead();
        }

        public Batch Current => _projected ?? _current ?? throw new InvalidOperationException("MoveNext has not returned a batch.");
        public DataPosition Position => new(0, _next);

        public bool MoveNext()
        {
            if (_pending.Count == 0) return false;
            (Task fill, Batch target, int rows) = _pending.Dequeue();
            fill.GetAwaiter().GetResult();
            if (_current is not null) _free.Push(_current);
            _current = target;
            _next += rows;
            StartAhead();
            if (_owner.Projection is { } projection) projection.Project(_current, _projected!);
            _owner.Vocabulary?.Map(Current);
            return true;
        }

        private Batch NewBatch()
        {
            if (_owner.MultiHotShape is var (dense, columns))
            {
                int idsPerCell = Math.Max(1, (int)Math.Ceiling(columns.Average(c => (double)_owner.Generator.MaxIds(c))));
                return new Batch(_batchSize, dense, columns.Length, multiHot: true, idsPerCell);
            }
            return new Batch(_batchSize, SyntheticGenerator.DenseColumns, SyntheticGenerator.TokenColumns);
        }

        /// <summary>Starts making batches into the free buffers until <see cref="Depth"/> are in flight or the range ends.</summary>
        private void StartAhead()
        {
            while (_pending.Count < Depth && _nextStart < _owner.Rows && _free.TryPop(out Batch? target))
            {
                int count = (int)Math.Min(_owner.Rows - _nextStart, _batchSize);
                long first = _owner.FirstRow + _nextStart;
                // On the current scheduler, not Task.Run's: a pass read ahead on a few threads (ReplayedData.ReadAhead) keeps
                // its rows' drawing there, with the generator's parallel chunks.
                Action fill = _owner.MultiHotShape is var (dense, columns)
                    ? () => _owner.Generator.FillBags(target, first, count, dense, columns)
                    : () => _owner.Generator.Fill(target, first, count);
                _pending.Enqueue((Task.Factory.StartNew(fill, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Current), target, count));
                _nextStart += count;
            }
        }

        public void Dispose()
        {
            // Let the generations in flight finish before the buffers go; their errors (if any) belong to batches nobody asked for.
            foreach ((Task fill, _, _) in _pending)
            {
                try { fill.Wait(); } catch (AggregateException) { }
            }
            _pending.Clear();
        }
    }
}
