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

    public SyntheticTrainingData(SyntheticGenerator generator, long firstRow, long rows)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        Generator = generator;
        FirstRow = firstRow;
        Rows = rows;
    }

    public SyntheticGenerator Generator { get; }
    public long FirstRow { get; }
    public long Rows { get; }
    /// <summary>Rewrites the tokens of Full tables to vocabulary indices (null when no table needs it).</summary>
    public VocabularyMapper? Vocabulary { get; init; }
    /// <summary>Picks the model's columns out of each batch (null: the model reads all 13 + 26 in order).</summary>
    public ColumnProjection? Projection { get; init; }

    public string Description =>
        FormattableString.Invariant($"synthetic seed {Generator.Spec.Seed}, rows {FirstRow:N0}..{FirstRow + Rows - 1:N0}");

    /// <summary>The same rows with <paramref name="mapper"/> applied to every batch.</summary>
    public SyntheticTrainingData WithVocabulary(VocabularyMapper? mapper) =>
        new(Generator, FirstRow, Rows) { Vocabulary = mapper, Projection = Projection };

    /// <summary>The same rows shaped for <paramref name="declaration"/>'s dense features and tables.</summary>
    public SyntheticTrainingData ForModel(ModelDeclaration declaration) =>
        new(Generator, FirstRow, Rows) { Vocabulary = Vocabulary, Projection = ColumnProjection.For(declaration) };

    public IBatchCursor Open(DataPosition start, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (start.FileIndex != 0 || start.Line < 0 || start.Line > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"A synthetic range of {Rows:N0} rows has positions file 0, line 0..{Rows}.");
        return new Cursor(this, start.Line, batchSize);
    }

    private sealed class Cursor(SyntheticTrainingData owner, long next, int batchSize) : IBatchCursor
    {
        private readonly Batch _rows = new(batchSize, SyntheticGenerator.DenseColumns, SyntheticGenerator.TokenColumns);
        private readonly Batch? _projected = owner.Projection?.CreateTarget(batchSize);
        private long _next = next;

        public Batch Current => _projected ?? _rows;
        public DataPosition Position => new(0, _next);

        public bool MoveNext()
        {
            long left = owner.Rows - _next;
            if (left <= 0) return false;
            int count = (int)Math.Min(left, batchSize);
            owner.Generator.Fill(_rows, owner.FirstRow + _next, count);
            _next += count;
            if (owner.Projection is { } projection) projection.Project(_rows, _projected!);
            owner.Vocabulary?.Map(Current);
            return true;
        }

        public void Dispose() { }
    }
}
