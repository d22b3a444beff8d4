namespace RobeGen.Data;

/// <summary>
/// A columnar mini-batch: what parsers produce and backends consume. Buffers are allocated once for a
/// capacity and reused (<see cref="Count"/> rows are valid), so steady-state training allocates nothing.
/// Layouts are row-major: <see cref="Dense"/> is [capacity, denseFeatures], <see cref="Tokens"/> is
/// [capacity, tables]. Dense values are already transformed (log(1 + max(x, 0)) for Criteo).
/// </summary>
public sealed class Batch
{
    /// <summary>A batch of up to <paramref name="capacity"/> rows of <paramref name="denseFeatures"/> dense values and <paramref name="tables"/> tokens.</summary>
    public Batch(int capacity, int denseFeatures, int tables)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        DenseFeatures = denseFeatures;
        Tables = tables;
        Labels = new float[capacity];
        Dense = new float[capacity * denseFeatures];
        Tokens = new ulong[capacity * tables];
    }

    /// <summary>Rows the buffers hold.</summary>
    public int Capacity { get; }
    /// <summary>Dense values per row.</summary>
    public int DenseFeatures { get; }
    /// <summary>Tokens per row (one per table, or per Criteo column before a projection).</summary>
    public int Tables { get; }
    /// <summary>Valid rows.</summary>
    public int Count { get; set; }
    /// <summary>0 or 1 per row (unused for unlabeled data).</summary>
    public float[] Labels { get; }
    /// <summary>Dense inputs, row-major [capacity, DenseFeatures], already transformed.</summary>
    public float[] Dense { get; }
    /// <summary>Tokens, row-major [capacity, Tables].</summary>
    public ulong[] Tokens { get; }

    /// <summary>The labels of the valid rows.</summary>
    public ReadOnlySpan<float> LabelSpan => Labels.AsSpan(0, Count);
    /// <summary>The dense inputs of the valid rows.</summary>
    public ReadOnlySpan<float> DenseSpan => Dense.AsSpan(0, Count * DenseFeatures);
    /// <summary>The tokens of the valid rows.</summary>
    public ReadOnlySpan<ulong> TokenSpan => Tokens.AsSpan(0, Count * Tables);
}
