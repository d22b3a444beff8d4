using ILGPU;
using ILGPU.Algorithms;

namespace RobeGen.Cuda.Kernels;

/// <summary>
/// The embedding gradient without float atomics: every (sample, table, coordinate) becomes a (slot, index) pair,
/// the pairs are stably sorted by slot, and each run of equal slots is summed by one thread in index order -
/// the order of the CPU's sequential scatter, so the result is the same every run (and the same float sequence as
/// the CPU backend's). Models whose tables are all ROBE arrays sum in fixed point instead (<see cref="MaxMagnitude"/>,
/// <see cref="FixedPointScatter"/>, <see cref="FixedPointCollect"/>): integer sums, the same every run in any order.
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

    // Models whose tables are all ROBE arrays sum each slot in fixed point: a coordinate's term (dL/dE, times its sign for
    // the Signed variant; a multi-hot batch's id gradients), scaled by a power of two the batch's largest |term| decides, is
    // rounded to a 64-bit integer and added to its slot's accumulator with an integer atomic. Integer sums do not depend on
    // their order, so the bits repeat run after run at about the cost of the atomic scatter (no sort, no thread walking a
    // hot id's thousands of blocks). Coordinate t reads the slot EmbeddingUpdateKernels.SlotOf gives, the one the gather read.

    /// <summary>Headroom bits of the fixed-point sums: the least h with 2^h &gt;= <paramref name="coordinates"/>, so
    /// that no slot's sum of at most that many terms, each below 2^(62 - headroom), can overflow 64 bits.</summary>
    public static int HeadroomBits(int coordinates)
    {
        int bits = 0;
        while (bits < 31 && (1L << bits) < coordinates) bits++;
        return bits;
    }

    /// <summary>Most threads per group of <see cref="MaxMagnitude"/> (its shared partials).</summary>
    public const int MaxMagnitudeGroupSize = 256;

    /// <summary>Pass 1 (explicitly grouped): maxBits[0] = the largest |term| of the batch as float bits (non-negative floats
    /// order as their bits; infinities and NaNs above every finite one). Each group takes a grid-stride share of the
    /// <paramref name="count"/> terms, reduces it in shared memory, and adds one atomic max: a few hundred atomics on the one
    /// word instead of one per thread.</summary>
    public static void MaxMagnitude(ArrayView<float> gradients, int count, ArrayView<int> maxBits)
    {
        var partial = SharedMemory.Allocate<int>(MaxMagnitudeGroupSize);
        int t = Group.IdxX, size = Group.DimX;
        long stride = (long)Grid.DimX * size;
        int largest = 0; // a sign is +-1: |dL/dE * sign| = |dL/dE|
        for (long i = (long)Grid.IdxX * size + t; i < count; i += stride) largest = XMath.Max(largest, (int)(Interop.FloatAsInt(gradients[i]) & 0x7FFFFFFF));
        partial[t] = largest;
        Group.Barrier();
        for (int width = size / 2; width > 0; width /= 2)
        {
            if (t < width) partial[t] = XMath.Max(partial[t], partial[t + width]);
            Group.Barrier();
        }
        if (t == 0 && partial[0] != 0) Atomic.Max(ref maxBits[0], partial[0]);
    }

    /// <summary>The power of two a batch's terms are scaled by: its largest |term| times it is below 2^(62 - headroom).</summary>
    public static double FixedScale(int maxBits, int headroomBits)
    {
        int exponent = XMath.Max((maxBits >> 23) - 127, -126); // |term| < 2^(exponent + 1)
        return Interop.IntAsFloat((ulong)(61 - headroomBits - exponent + 1023) << 52);
    }

    /// <summary>Pass 2: adds round(term * scale) of coordinate t to its slot's accumulator (nothing when the batch holds a
    /// non-finite term: pass 3 then writes NaN).</summary>
    public static void FixedPointScatter(Index1D t, EmbeddingCoordinateArgs a, GpuTableViews tables, int headroomBits, ArrayView<long> blockStarts,
        ArrayView<float> gradients, ArrayView<float> signs, int useSigns, ArrayView<int> maxBits, ArrayView<long> accumulators)
    {
        int largest = maxBits[0];
        if (largest >= 0x7F800000) return;
        long slot = EmbeddingUpdateKernels.SlotOf(a, tables, blockStarts, t);
        if (slot < 0) return;
        float term = useSigns != 0 ? gradients[t] * signs[t] : gradients[t];
        // Ties to even, as the host reference in the tests (Math.Round) rounds (XMath's software rounding on the device).
        long scaled = (long)XMath.RoundToEven(term * FixedScale(largest, headroomBits));
        if (scaled != 0) Atomic.Add(ref accumulators[slot], scaled);
    }

    /// <summary>Pass 3: the first thread to reach a slot takes its sum (and leaves the accumulator at zero for the next
    /// batch) and stores it, unscaled, in dL/dM; the slot's other threads find zero and store nothing (dL/dM is all zeros
    /// before, and a sum of zero stays so). A batch with a non-finite term gets NaN at every slot it read.</summary>
    public static void FixedPointCollect(Index1D t, EmbeddingCoordinateArgs a, GpuTableViews tables, int headroomBits, ArrayView<long> blockStarts,
        ArrayView<int> maxBits, ArrayView<long> accumulators, ArrayView<float> gradWeights)
    {
        long slot = EmbeddingUpdateKernels.SlotOf(a, tables, blockStarts, t);
        if (slot < 0) return;
        int largest = maxBits[0];
        if (largest >= 0x7F800000)
        {
            gradWeights[slot] = float.NaN;
            return;
        }
        long sum = Atomic.Exchange(ref accumulators[slot], 0L);
        if (sum != 0) gradWeights[slot] = (float)(sum / FixedScale(largest, headroomBits));
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
