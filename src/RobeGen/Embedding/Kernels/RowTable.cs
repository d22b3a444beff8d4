using System.ComponentModel;
using System.Numerics.Tensors;

namespace RobeGen;

/// <summary>
/// One Full, Hashed or QuotientRemainder table of a layout, its row count, quotient rows and base read once per call,
/// with the CPU gather and scatter of its rows (the generated loops and the generic ones both use it). Row addresses
/// come from <see cref="TableRows"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct RowTable
{
    private readonly EmbeddingLayout _layout;
    private readonly int _table;
    private readonly long _rows, _quotientRows, _tableBase;

    /// <summary>Table <paramref name="table"/> of <paramref name="layout"/>.</summary>
    public RowTable(EmbeddingLayout layout, int table)
    {
        _layout = layout;
        _table = table;
        _rows = layout.Rows[table];
        _quotientRows = layout.QuotientRows[table];
        _tableBase = layout.TableBase[table];
    }

    /// <summary>A Full table's row (row = token, below the row count, else <see cref="ArgumentOutOfRangeException"/>);
    /// record 0 gets its start.</summary>
    public void GatherFull(ulong token, ReadOnlySpan<float> weights, Span<long> starts, Span<float> embedding) =>
        GatherRow(FullRowStart(token, embedding.Length), weights, starts, embedding);

    /// <summary>A Hashed table's row (row = token mod rows); record 0 gets its start.</summary>
    public void GatherHashed(ulong token, ReadOnlySpan<float> weights, Span<long> starts, Span<float> embedding) =>
        GatherRow(TableRows.HashedRowStart(token, _rows, _tableBase, embedding.Length), weights, starts, embedding);

    /// <summary>A QuotientRemainder embedding: the element-wise product of its quotient and remainder rows; records 0
    /// and 1 get their starts.</summary>
    public void GatherQuotientRemainder(ulong token, ReadOnlySpan<float> weights, Span<long> starts, Span<float> embedding)
    {
        int dim = embedding.Length;
        long quotient = TableRows.QuotientRowStart(token, _quotientRows, _rows, _tableBase, dim);
        long remainder = TableRows.RemainderRowStart(token, _quotientRows, _rows, _tableBase, dim);
        starts[0] = quotient;
        starts[1] = remainder;
        TensorPrimitives.Multiply(weights.Slice(checked((int)quotient), dim), weights.Slice(checked((int)remainder), dim), embedding);
    }

    /// <summary>Start of a Full table's row; throws for a token at or beyond the row count.</summary>
    public long FullRowStart(ulong token, int dim)
    {
        long start = TableRows.FullRowStart(token, _rows, _tableBase, dim);
        if (start < 0) throw EmbeddingChecks.FullTokenOutOfRange(_layout, _table, token, _rows);
        return start;
    }

    /// <summary>Start of a Hashed table's row.</summary>
    public long HashedRowStart(ulong token, int dim) => TableRows.HashedRowStart(token, _rows, _tableBase, dim);

    /// <summary>Adds a Full or Hashed row's gradient at its recorded start (record 0).</summary>
    public static void ScatterRow(ReadOnlySpan<long> starts, ReadOnlySpan<float> gradient, Span<float> gradWeights) =>
        BlockCopy.AddInto(gradient, gradWeights.Slice(checked((int)starts[0]), gradient.Length));

    /// <summary>
    /// The product rule at the recorded rows: dL/dQ[q][j] += g[j] * Rm[r][j] and dL/dRm[r][j] += g[j] * Q[q][j], with the
    /// weights the gather read (a plain multiply then add, no fused multiply-add, so the GPU's deterministic path can
    /// match it).
    /// </summary>
    public static void ScatterQuotientRemainder(ReadOnlySpan<long> starts, ReadOnlySpan<float> gradient, ReadOnlySpan<float> weights, Span<float> gradWeights)
    {
        int dim = gradient.Length;
        int quotientStart = checked((int)starts[0]), remainderStart = checked((int)starts[1]);
        ReadOnlySpan<float> quotient = weights.Slice(quotientStart, dim);
        ReadOnlySpan<float> remainder = weights.Slice(remainderStart, dim);
        Span<float> gradQuotient = gradWeights.Slice(quotientStart, dim);
        Span<float> gradRemainder = gradWeights.Slice(remainderStart, dim);
        for (int j = 0; j < dim; j++)
        {
            gradQuotient[j] += gradient[j] * remainder[j];
            gradRemainder[j] += gradient[j] * quotient[j];
        }
    }

    private static void GatherRow(long start, ReadOnlySpan<float> weights, Span<long> starts, Span<float> embedding)
    {
        starts[0] = start;
        weights.Slice(checked((int)start), embedding.Length).CopyTo(embedding);
    }
}
