namespace RobeGen.Data;

/// <summary>
/// A columnar mini-batch: what parsers produce and backends consume. Buffers are allocated once for a
/// capacity and reused (<see cref="Count"/> rows are valid), so steady-state training allocates nothing.
/// Layouts are row-major: <see cref="Dense"/> is [capacity, denseFeatures], <see cref="Tokens"/> is
/// [capacity, tables]. Dense values are already transformed (log(1 + max(x, 0)) for Criteo).
/// </summary>
public sealed class Batch
{
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

    public int Capacity { get; }
    public int DenseFeatures { get; }
    public int Tables { get; }
    /// <summary>Valid rows.</summary>
    public int Count { get; set; }
    /// <summary>0 or 1 per row (unused for unlabeled data).</summary>
    public float[] Labels { get; }
    public float[] Dense { get; }
    public ulong[] Tokens { get; }

    public ReadOnlySpan<float> LabelSpan => Labels.AsSpan(0, Count);
    public ReadOnlySpan<float> DenseSpan => Dense.AsSpan(0, Count * DenseFeatures);
    public ReadOnlySpan<ulong> TokenSpan => Tokens.AsSpan(0, Count * Tables);
}
