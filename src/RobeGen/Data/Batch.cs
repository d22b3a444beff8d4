namespace RobeGen.Data;

/// <summary>
/// A columnar mini-batch: what parsers produce and backends consume. Buffers are allocated once for a
/// capacity and reused (<see cref="Count"/> rows are valid), so steady-state training allocates nothing.
/// Layouts are row-major: <see cref="Dense"/> is [capacity, denseFeatures], <see cref="Tokens"/> is
/// [capacity, tables]. Dense values are already transformed (log(1 + max(x, 0)) for Criteo).
/// A batch of a model with a multi-hot table holds its ids as bags instead (<see cref="IsMultiHot"/>): every
/// (row, table) cell of every table, single-hot ones included, is the slice
/// <see cref="BagIds"/>[<see cref="BagOffsets"/>[r * Tables + t] .. <see cref="BagOffsets"/>[r * Tables + t + 1]]
/// (compressed sparse rows; a single-hot cell holds exactly one id), and <see cref="Tokens"/> is empty.
/// </summary>
public sealed class Batch
{
    /// <summary>A batch of up to <paramref name="capacity"/> rows of <paramref name="denseFeatures"/> dense values and <paramref name="tables"/> tokens.</summary>
    public Batch(int capacity, int denseFeatures, int tables)
        : this(capacity, denseFeatures, tables, multiHot: false)
    {
    }

    /// <summary>A batch whose ids are held as bags when <paramref name="multiHot"/> (see <see cref="IsMultiHot"/>), with room
    /// for <paramref name="idsPerCell"/> ids per cell before <see cref="BagIds"/> grows.</summary>
    public Batch(int capacity, int denseFeatures, int tables, bool multiHot, int idsPerCell = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(idsPerCell, 1);
        Capacity = capacity;
        DenseFeatures = denseFeatures;
        Tables = tables;
        IsMultiHot = multiHot;
        Labels = new float[capacity];
        Dense = new float[capacity * denseFeatures];
        Tokens = multiHot ? [] : new ulong[capacity * tables];
        BagOffsets = multiHot ? new int[capacity * tables + 1] : [];
        BagIds = multiHot ? new ulong[(long)capacity * tables * idsPerCell > Array.MaxLength ? Array.MaxLength : capacity * tables * idsPerCell] : [];
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

    /// <summary>True when the ids are held as bags (<see cref="BagOffsets"/>, <see cref="BagIds"/>), as for every model
    /// with a multi-hot table; false when they are one token per cell (<see cref="Tokens"/>).</summary>
    public bool IsMultiHot { get; }

    /// <summary>Multi-hot batches: where each (row, table) cell's ids start in <see cref="BagIds"/>, row-major
    /// [capacity * Tables + 1]; BagOffsets[0] is 0 and cell c ends where cell c + 1 starts. Empty otherwise.</summary>
    public int[] BagOffsets { get; }

    /// <summary>Multi-hot batches: the ids of all cells, cell after cell (grown by <see cref="EnsureIdCapacity"/>). Empty otherwise.</summary>
    public ulong[] BagIds { get; private set; }

    /// <summary>Ids held by the valid rows' cells (multi-hot batches; 0 otherwise).</summary>
    public int IdCount => IsMultiHot ? BagOffsets[Count * Tables] : 0;

    /// <summary>Makes <see cref="BagIds"/> hold at least <paramref name="ids"/> ids, keeping the ones already written.</summary>
    public void EnsureIdCapacity(int ids)
    {
        if (!IsMultiHot)
            throw new InvalidOperationException("This batch holds one token per cell; it has no bags.");
        if (ids <= BagIds.Length)
            return;
        var grown = new ulong[(int)Math.Min(Array.MaxLength, Math.Max(ids, 2L * BagIds.Length))];
        BagIds.AsSpan().CopyTo(grown);
        BagIds = grown;
    }

    /// <summary>The ids of cell (<paramref name="row"/>, <paramref name="table"/>) of a multi-hot batch.</summary>
    public ReadOnlySpan<ulong> Bag(int row, int table)
    {
        var cell = row * Tables + table;
        return BagIds.AsSpan(BagOffsets[cell], BagOffsets[cell + 1] - BagOffsets[cell]);
    }

    /// <summary>The labels of the valid rows.</summary>
    public ReadOnlySpan<float> LabelSpan => Labels.AsSpan(0, Count);
    /// <summary>The dense inputs of the valid rows.</summary>
    public ReadOnlySpan<float> DenseSpan => Dense.AsSpan(0, Count * DenseFeatures);
    /// <summary>The tokens of the valid rows.</summary>
    public ReadOnlySpan<ulong> TokenSpan => Tokens.AsSpan(0, Count * Tables);
}
