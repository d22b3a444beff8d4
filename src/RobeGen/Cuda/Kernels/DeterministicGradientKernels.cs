using ILGPU;

namespace RobeGen.Cuda.Kernels;

/// <summary>
/// The embedding gradient without float atomics: every (sample, table, coordinate) becomes a (slot, index) pair,
/// the pairs are stably sorted by slot, and each run of equal slots is summed by one thread in index order -
/// the order of the CPU's sequential scatter, so the result is the same every run (and the same float sequence as
/// the CPU backend's). Models of plain ROBE tables only sort their blocks instead (<see cref="BuildBlockPairs"/>, then
/// <see cref="BlockChunkSums"/>, <see cref="BlockGroupSums"/> and <see cref="BlockSlotSums"/>): the same every run too,
/// in another (fixed) order.
/// </summary>
internal static class DeterministicGradientKernels
{
    /// <summary>keys[i] = the slot coordinate i read (-1 for none, which sorts first and is skipped); values[i] = i.</summary>
    public static void BuildPairs(Index1D i, EmbeddingCoordinateArgs a, GpuTableViews tables, ArrayView<long> blockStarts,
        ArrayView<int> keys, ArrayView<int> values)
    {
        keys[i] = (int)EmbeddingUpdateKernels.SlotOf(a, tables, blockStarts, i);
        values[i] = i;
    }

    /// <summary>
    /// The pairs of a model with QuotientRemainder tables: two per coordinate i, with their contributions (the product
    /// rule needs the weights, so the terms are formed here, before any update). Pair 2i is the slot
    /// <see cref="EmbeddingUpdateKernels.SlotOf"/> gives: g[i] (times the sign when <paramref name="useSigns"/> != 0) for
    /// ROBE, Full and Hashed tables, g[i] * Rm[r][j] at a QR table's quotient slot. Pair 2i + 1 is a QR table's remainder
    /// slot with g[i] * Q[q][j], or key -1 (skipped) elsewhere. A stable sort keeps each slot's terms in coordinate order,
    /// the order the CPU's scatter adds them in, and each term is one float multiply there as here.
    /// </summary>
    public static void BuildQuotientRemainderPairs(Index1D i, EmbeddingCoordinateArgs a, GpuTableViews tables, ArrayView<long> blockStarts,
        ArrayView<float> weights, ArrayView<float> gradEmbeddings, ArrayView<float> signs, int useSigns,
        ArrayView<int> keys, ArrayView<int> values, ArrayView<float> contributions)
    {
        long first = EmbeddingUpdateKernels.SlotOf(a, tables, blockStarts, i);
        long second = EmbeddingUpdateKernels.SecondSlotOf(a, tables, blockStarts, i);
        float g = gradEmbeddings[i];
        int pair = 2 * i;
        keys[pair] = (int)first;
        values[pair] = pair;
        keys[pair + 1] = (int)second;
        values[pair + 1] = pair + 1;
        if (second >= 0)
        {
            contributions[pair] = g * weights[second];
            contributions[pair + 1] = g * weights[first];
        }
        else
        {
            contributions[pair] = useSigns != 0 ? g * signs[i] : g;
            contributions[pair + 1] = 0f;
        }
    }

    /// <summary>
    /// Multi-hot batches: the gradient of coordinate j of every id's record (i = record * d + j), which the pairs then take
    /// as a single-hot lookup's: the cell's dL/dE [batch, T, d], divided by the bag's count for a Mean table (as the CPU's
    /// BlockCopy.PoolGradient does), times the coordinate's sign for a ROBE table when <paramref name="signed"/> != 0 (the
    /// Signed variant; the CPU's scatter multiplies the pooled gradient by it in the same order).
    /// </summary>
    public static void BagGradients(Index1D i, EmbeddingCoordinateArgs a, GpuTableViews tables, ArrayView<int> bagOffsets, ArrayView<ulong> bagIds,
        ArrayView<float> gradEmbeddings, int signed, ArrayView<float> idGradients)
    {
        int record = i / a.Dim, j = i - record * a.Dim;
        int cell = a.RecordCells[record], table = cell % a.Tables;
        float g = gradEmbeddings[cell * a.Dim + j];
        int count = bagOffsets[cell + 1] - bagOffsets[cell];
        if (tables.Pooling[table] == (int)Pooling.Mean && count > 1) g = g / count;
        if (signed != 0 && tables.Storage[table] == (int)EmbeddingStorage.Robe)
            g *= SignHash.SignOf(RobeHash.KeyOf(bagIds[record], tables.TokenOffsets[table]), j);
        idGradients[i] = g;
    }

    /// <summary>
    /// The block pairs of a single-hot model whose tables are all ROBE blocks that never wrap (<see cref="DeterministicEmbeddingGradient"/>
    /// sorts these instead of one pair per coordinate: Z times fewer): keys[s] = the start slot of block s (block s mod
    /// d/Z of record s / (d/Z)), values[s] = s.
    /// </summary>
    public static void BuildBlockPairs(Index1D s, EmbeddingCoordinateArgs a, ArrayView<long> blockStarts, ArrayView<int> keys, ArrayView<int> values)
    {
        int blocks = a.Dim / a.BlockSize;
        int record = s / blocks;
        keys[s] = (int)blockStarts[(long)record * a.MaxBlocks + (s - record * blocks)];
        values[s] = s;
    }

    // The block sums, in three passes over the sorted blocks (thread t: block i = t / Z, offset k = t mod Z). Blocks of
    // equal start form a group (a hot id read in many rows makes one of thousands of blocks); a group is cut into chunks
    // at the multiples of `chunk` of the sorted index. (1) Each chunk's head sums its blocks' coordinate k. (2) Each
    // group's head adds its chunks' sums in order, and finds where the group ends. (3) Each slot x is summed by the head
    // of the first group covering it, over the groups covering it in ascending start. Every sum has a fixed order, so the
    // bits repeat run after run, and no thread walks more than `chunk` blocks, or a group's chunks, or the <= Z groups
    // over a slot: one summing all of a hot slot's blocks alone held up the whole kernel on Zipf-skewed rows.

    /// <summary>Pass 1: partials[t] = the sum of coordinate k over the blocks of the chunk block i heads (it heads one
    /// when its start differs from the previous block's, or when i is a multiple of <paramref name="chunk"/>).</summary>
    public static void BlockChunkSums(Index1D t, int blockCount, int blockSize, int dim, int chunk, ArrayView<int> sortedStarts,
        ArrayView<int> sortedBlocks, ArrayView<float> gradEmbeddings, ArrayView<float> partials)
    {
        int i = t / blockSize, k = t - i * blockSize;
        int start = sortedStarts[i];
        if (i > 0 && sortedStarts[i - 1] == start && i % chunk != 0) return;
        int blocks = dim / blockSize;
        float sum = 0f;
        int j = i;
        do
        {
            int block = sortedBlocks[j];
            int record = block / blocks;
            sum += gradEmbeddings[record * dim + (block - record * blocks) * blockSize + k];
            j++;
        }
        while (j < blockCount && j % chunk != 0 && sortedStarts[j] == start);
        partials[t] = sum;
    }

    /// <summary>Pass 2: a group's head adds the sums of the group's later chunks (heads at the multiples of
    /// <paramref name="chunk"/>) to its own, in order, in place; its offset-0 thread stores the index past the group.</summary>
    public static void BlockGroupSums(Index1D t, int blockCount, int blockSize, int chunk, ArrayView<int> sortedStarts, ArrayView<float> partials,
        ArrayView<int> groupEnds)
    {
        int i = t / blockSize, k = t - i * blockSize;
        int start = sortedStarts[i];
        if (i > 0 && sortedStarts[i - 1] == start) return;
        float sum = partials[t];
        int last = i;
        for (int c = (i / chunk + 1) * chunk; c < blockCount && sortedStarts[c] == start; c += chunk)
        {
            sum += partials[c * blockSize + k];
            last = c;
        }
        partials[t] = sum;
        if (k != 0) return;
        int end = last + 1;
        while (end < blockCount && sortedStarts[end] == start) end++; // within the last chunk: fewer than `chunk` steps
        groupEnds[i] = end;
    }

    /// <summary>
    /// Pass 3: slot x = start + k of group head i is summed there when no earlier group covers it (the previous block
    /// starts at or below x - Z); the groups covering x are then i and the next ones while their start is at most x, and
    /// their sums at offset x - start are added in that order. A slot no block covers is not written (the update never
    /// reads it).
    /// </summary>
    public static void BlockSlotSums(Index1D t, int blockCount, int blockSize, ArrayView<int> sortedStarts, ArrayView<float> partials,
        ArrayView<int> groupEnds, ArrayView<float> gradWeights)
    {
        int i = t / blockSize, k = t - i * blockSize;
        int start = sortedStarts[i];
        if (i > 0 && sortedStarts[i - 1] == start) return;
        int x = start + k;
        if (i > 0 && sortedStarts[i - 1] > x - blockSize) return;
        float sum = 0f;
        for (int j = i; j < blockCount && sortedStarts[j] <= x; j = groupEnds[j]) sum += partials[j * blockSize + (x - sortedStarts[j])];
        gradWeights[x] = sum;
    }

    /// <summary>
    /// Thread i starts a run when its key differs from the previous one; it sums gradient[values[p]] (times the
    /// coordinate's sign when <paramref name="useSigns"/> != 0) over the run and stores the sum at the slot.
    /// </summary>
    public static void SegmentedSum(Index1D i, ArrayView<int> sortedKeys, ArrayView<int> sortedValues, int count,
        ArrayView<float> gradEmbeddings, ArrayView<float> signs, int useSigns, ArrayView<float> gradWeights)
    {
        int key = sortedKeys[i];
        if (key < 0 || i > 0 && sortedKeys[i - 1] == key) return;
        float sum = 0f;
        for (int p = i; p < count && sortedKeys[p] == key; p++)
        {
            int source = sortedValues[p];
            sum += useSigns != 0 ? gradEmbeddings[source] * signs[source] : gradEmbeddings[source];
        }
        gradWeights[key] = sum;
    }
}
