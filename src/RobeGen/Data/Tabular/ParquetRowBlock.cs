using System.Runtime.ExceptionServices;

namespace RobeGen.Data.Tabular;

/// <summary>
/// One model input of a decoded row group, column-major: labels and dense inputs as floats, single-hot tokens as ids,
/// a multi-hot list column as ids with row starts (row i's ids are Ids[Starts[i] .. Starts[i + 1]]). The first bad
/// cell is kept (<see cref="ProblemRow"/>) instead of thrown, so the reader reports it only when the rows before it
/// have been delivered, as reading row by row does. The buffers are reused from one row group to the next.
/// </summary>
internal sealed class ParquetColumnValues
{
    public float[] Floats { get; private set; } = [];
    public ulong[] Tokens { get; private set; } = [];
    public int[] Starts { get; private set; } = [];
    public ulong[] Ids { get; private set; } = [];
    /// <summary>The block row of the first bad cell; -1 when none.</summary>
    public int ProblemRow { get; private set; } = -1;
    public string? Problem { get; private set; }

    /// <summary>Makes room for <paramref name="rows"/> rows of <paramref name="kind"/> and forgets the last problem.</summary>
    public void Reset(ParquetInputKind kind, int rows)
    {
        (ProblemRow, Problem) = (-1, null);
        switch (kind)
        {
            case ParquetInputKind.Label or ParquetInputKind.Dense: if (Floats.Length < rows) Floats = new float[rows]; break;
            case ParquetInputKind.Token: if (Tokens.Length < rows) Tokens = new ulong[rows]; break;
            default: if (Starts.Length < rows + 1) Starts = new int[rows + 1]; break;
        }
    }

    /// <summary>Grows <see cref="Ids"/> (keeping its ids) to hold at least <paramref name="needed"/>.</summary>
    public void EnsureIds(int needed)
    {
        if (Ids.Length >= needed) return;
        var grown = new ulong[Math.Max(needed, 2 * Ids.Length)];
        Ids.CopyTo(grown, 0);
        Ids = grown;
    }

    /// <summary>Keeps the first problem only (rows are decoded in order).</summary>
    public void Report(int row, string problem)
    {
        if (ProblemRow < 0) (ProblemRow, Problem) = (row, problem);
    }
}

/// <summary>What a model input is: the label, a dense input, a single-hot table's column or a multi-hot table's list.</summary>
internal enum ParquetInputKind { Label, Dense, Token, Bag }

/// <summary>
/// Rows [<see cref="FirstRow"/>, <see cref="FirstRow"/> + <see cref="Rows"/>) of the file (all in row group
/// <see cref="Group"/>), decoded one column per model input, possibly by several threads at once (one column each).
/// </summary>
internal sealed class ParquetRowBlock(int inputs)
{
    public int Group { get; private set; }
    /// <summary>The file row (0-based) of the block's first row.</summary>
    public long FirstRow { get; private set; }
    public int Rows { get; private set; }
    /// <summary>Rows of the row group passed over before the block's first row (a resume inside the group).</summary>
    public long Skip { get; private set; }
    public ParquetColumnValues[] Inputs { get; } = Enumerable.Range(0, inputs).Select(_ => new ParquetColumnValues()).ToArray();
    /// <summary>Per input: the exception decoding its column threw (an unreadable type, a corrupt page); thrown before any row of the block.</summary>
    public ExceptionDispatchInfo?[] Failures { get; } = new ExceptionDispatchInfo?[inputs];
    /// <summary>Columns not decoded yet (guarded by the pipeline's lock).</summary>
    public int Pending { get; set; }

    public void Begin(int group, long firstRow, long skip, int rows)
    {
        (Group, FirstRow, Skip, Rows, Pending) = (group, firstRow, skip, rows, Inputs.Length);
        Array.Clear(Failures);
    }

    /// <summary>The first bad cell in row order, then input order (as a row-by-row read meets it); row -1 when none.</summary>
    public (int Row, int Input) FirstProblem()
    {
        (int row, int input) = (-1, -1);
        for (int i = 0; i < Inputs.Length; i++)
        {
            int r = Inputs[i].ProblemRow;
            if (r >= 0 && (row < 0 || r < row)) (row, input) = (r, i);
        }
        return (row, input);
    }
}
