using ILGPU;
using ILGPU.Algorithms;

namespace RobeGen.Cuda.Kernels;

/// <summary>Scalars of the sparse embedding update (per-table arrays travel as <see cref="GpuTableViews"/>).</summary>
internal struct EmbeddingCoordinateArgs
{
    public int Batch;
    public int Tables;
    public int Dim;
    public int BlockSize;
    public int MaxBlocks;
    public long RobeSlots;
    /// <summary>1 for <see cref="RobeVariant.Circular"/>: a block wraps around the end of the ROBE array.</summary>
    public int Circular;

    /// <summary>Block-start records of the batch: one per (sample, table) cell, or one per id of a multi-hot batch.</summary>
    public int Records;
    /// <summary>1 when the records are a multi-hot batch's ids: record r then belongs to cell <see cref="RecordCells"/>[r];
    /// 0 when record r is cell r itself.</summary>
    public int Bags;
    /// <summary>Multi-hot batches: the cell (sample * T + table) of each id's record (read only when <see cref="Bags"/> is 1).</summary>
    public ArrayView<int> RecordCells;

    /// <summary>Coordinates read by one batch: one thread each (d per record).</summary>
    public readonly int Coordinates => Records * Dim;

    /// <summary>The table record <paramref name="record"/> was read from.</summary>
    public readonly int TableOf(int record) => (Bags != 0 ? RecordCells[record] : record) % Tables;
}

/// <summary>
/// Maps a (sample, table, coordinate) to the slot it read, from the block starts the gather recorded, and applies the
/// optimizer to the embedding sparsely: only slots read in the batch are touched.
/// </summary>
internal static class EmbeddingUpdateKernels
{
    /// <summary>
    /// The flat-array slot coordinate j of a record (a cell's lookup, or one id of a multi-hot cell) read. ROBE tables: block c = j / Z starts at the recorded
    /// start, coordinate j sits (j mod Z) after it (modulo m for the Circular variant). Full and Hashed tables read
    /// one d-wide row whose start is recorded as block 0 (a QuotientRemainder table: its quotient row); a negative start (the generated gather's mark for a Full
    /// table's out-of-range token, read as zeros) gives -1: no slot, nothing to update.
    /// </summary>
    public static long SlotOf(EmbeddingCoordinateArgs a, GpuTableViews tables, ArrayView<long> blockStarts, int coordinate)
    {
        int j = coordinate % a.Dim;
        int index = coordinate / a.Dim;
        int table = a.TableOf(index);
        long record = (long)index * a.MaxBlocks;
        if (tables.Storage[table] != (int)EmbeddingStorage.Robe)
        {
            long rowStart = blockStarts[record];
            return rowStart < 0 ? -1 : rowStart + j;
        }
        int block = j / a.BlockSize;
        long slot = blockStarts[record + block] + (j - block * a.BlockSize);
        return a.Circular != 0 && slot >= a.RobeSlots ? slot - a.RobeSlots : slot;
    }

    /// <summary>
    /// The second slot coordinate j of a record read: a QuotientRemainder table's remainder-row slot (record 1
    /// + j; <see cref="SlotOf"/> gives its quotient-row slot, record 0 + j); -1 for every other table.
    /// </summary>
    public static long SecondSlotOf(EmbeddingCoordinateArgs a, GpuTableViews tables, ArrayView<long> blockStarts, int coordinate)
    {
        int index = coordinate / a.Dim;
        if (tables.Storage[a.TableOf(index)] != (int)EmbeddingStorage.QuotientRemainder) return -1;
        return blockStarts[(long)index * a.MaxBlocks + 1] + coordinate % a.Dim;
    }

    /// <summary>
    /// SGD on the read slots (both rows of a QuotientRemainder read): the first thread to reach a slot takes its whole
    /// gradient (exchanging it for 0) and updates the weight; every later thread on that slot finds 0 and does nothing.
    /// So the gradient buffer is all zeros again after the step without ever sweeping it.
    /// </summary>
    public static void Sgd(Index1D i, EmbeddingCoordinateArgs a, GpuTableViews tables, ArrayView<long> blockStarts,
        ArrayView<float> weights, ArrayView<float> grads, float learningRate)
    {
        SgdSlot(SlotOf(a, tables, blockStarts, i), weights, grads, learningRate);
        SgdSlot(SecondSlotOf(a, tables, blockStarts, i), weights, grads, learningRate);
    }

    private static void SgdSlot(long slot, ArrayView<float> weights, ArrayView<float> grads, float learningRate)
    {
        if (slot < 0) return;
        float g = Atomic.Exchange(ref grads[slot], 0f);
        if (g != 0f) weights[slot] -= learningRate * g;
    }

    /// <summary>Sparse Adagrad (PyTorch's): G += g^2; w -= lr g / (sqrt(G) + eps), on read slots only.</summary>
    public static void Adagrad(Index1D i, EmbeddingCoordinateArgs a, GpuTableViews tables, ArrayView<long> blockStarts,
        ArrayView<float> weights, ArrayView<float> grads, ArrayView<float> accumulators, float learningRate)
    {
        AdagradSlot(SlotOf(a, tables, blockStarts, i), weights, grads, accumulators, learningRate);
        AdagradSlot(SecondSlotOf(a, tables, blockStarts, i), weights, grads, accumulators, learningRate);
    }

    private static void AdagradSlot(long slot, ArrayView<float> weights, ArrayView<float> grads, ArrayView<float> accumulators, float learningRate)
    {
        if (slot < 0) return;
        float g = Atomic.Exchange(ref grads[slot], 0f);
        if (g == 0f) return; // G += 0 and w -= 0: nothing changes
        float acc = accumulators[slot] + g * g;
        accumulators[slot] = acc;
        weights[slot] -= learningRate * g / (XMath.Sqrt(acc) + OptimizerKernels.AdagradEpsilon);
    }
}
