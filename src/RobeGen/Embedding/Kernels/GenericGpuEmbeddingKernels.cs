using ILGPU;
using ILGPU.Runtime;

namespace RobeGen;

/// <summary>
/// The hand-written ILGPU gather and atomic scatter for any layout: every table's storage, Z, token offset and the
/// variant are read at run time (the generated kernels have the declaration's built in). They run the run-time
/// overrides; <see cref="EmbeddingKernelSelector"/> picks them. Same lane scheme as the generated kernels (up to 32
/// lanes per lookup, lane l moving coordinates l, l + lanes, ...), except that each lane hashes the block of each of
/// its coordinates itself (no warp shuffles). Same numbers and block-start records as the CPU loops.
/// </summary>
internal sealed class GenericGpuEmbeddingKernels : IGpuEmbeddingKernels
{
    private readonly GenericLookup _lookup;

    public GenericGpuEmbeddingKernels(EmbeddingLayout layout)
    {
        _lookup = new GenericLookup { Dim = layout.Dim, Lanes = LanesFor(layout.Dim), Variant = (int)layout.Variant };
    }

    /// <inheritdoc/>
    public int ThreadsPerLookup => _lookup.Lanes;

    /// <summary>Threads per lookup: the largest power of two up to min(32, d), so a lookup never straddles a warp (the
    /// generator's rule for its kernels, which a test compares).</summary>
    public static int LanesFor(int dim)
    {
        int lanes = 1;
        while (lanes * 2 <= Math.Min(32, dim)) lanes *= 2;
        return lanes;
    }

    /// <inheritdoc/>
    public Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>> LoadGather(Accelerator accelerator)
    {
        var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, GenericLookup, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>,
            ArrayView<long>, ArrayView<float>>(GatherKernel);
        GenericLookup lookup = _lookup;
        return (index, args, tables, weights, tokens, blockStarts, output) => kernel(index, lookup, args, tables, weights, tokens, blockStarts, output);
    }

    /// <inheritdoc/>
    public Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>, ArrayView<float>> LoadScatterAtomic(
        Accelerator accelerator)
    {
        var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, GenericLookup, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>,
            ArrayView<long>, ArrayView<float>, ArrayView<float>>(ScatterAtomicKernel);
        GenericLookup lookup = _lookup;
        return (index, args, tables, weights, tokens, blockStarts, gradOutput, gradWeights) =>
            kernel(index, lookup, args, tables, weights, tokens, blockStarts, gradOutput, gradWeights);
    }

    /// <summary>
    /// The bag kernels run one warp per group. A warp walks its bag's ids one after another, and bags differ up to
    /// 100x in length (MLPerf's multi-hot tables hold 1 to 100 ids), so a large group is held on its SM until its
    /// longest bag is done. With Full tables every id is a trip to memory, and the kernel's registers (146 on an H100)
    /// allowed one group of 384 threads per SM: ncu measured 3% achieved occupancy against 19% possible, 42 ms a batch.
    /// Warp-sized groups finish and are replaced one by one.
    /// </summary>
    internal static int BagGroupSize(Accelerator accelerator) => Math.Min(accelerator.WarpSize, accelerator.MaxNumThreadsPerGroup);

    /// <inheritdoc/>
    public Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<int>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>> LoadGatherBags(
        Accelerator accelerator)
    {
        var kernel = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, GenericLookup, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<int>,
            ArrayView<ulong>, ArrayView<long>, ArrayView<float>>(GatherBagsKernel, BagGroupSize(accelerator));
        GenericLookup lookup = _lookup;
        return (index, args, tables, weights, offsets, ids, blockStarts, output) => kernel(index, lookup, args, tables, weights, offsets, ids, blockStarts, output);
    }

    /// <inheritdoc/>
    public Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<int>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>, ArrayView<float>>
        LoadScatterBagsAtomic(Accelerator accelerator)
    {
        var kernel = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, GenericLookup, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<int>,
            ArrayView<ulong>, ArrayView<long>, ArrayView<float>, ArrayView<float>>(ScatterBagsAtomicKernel, BagGroupSize(accelerator));
        GenericLookup lookup = _lookup;
        return (index, args, tables, weights, offsets, ids, blockStarts, gradOutput, gradWeights) =>
            kernel(index, lookup, args, tables, weights, offsets, ids, blockStarts, gradOutput, gradWeights);
    }

    /// <summary>
    /// The bag gather. Each lane sums its coordinates over the cell's ids in id order from zero (the CPU loops' sum to the
    /// bit), divides by the count for a Mean table and stores each once: the output is never read back, so no load waits
    /// on a store. Up to <see cref="RegisterSteps"/> coordinates per lane (d up to 128), the ids are the outer loop and the
    /// sums sit in registers: an id is read and its row found once, and its coordinates' loads are independent, so a long
    /// bag keeps several loads in flight instead of one chain of dependent ones per coordinate. A wider d walks one
    /// coordinate at a time over the ids. Each id's starts are recorded at its index unless ForwardOnly.
    /// </summary>
    internal static void GatherBagsKernel(Index1D index, GenericLookup lookup, GpuEmbeddingArgs args, GpuTableViews tables, ArrayView<float> weights,
        ArrayView<int> bagOffsets, ArrayView<ulong> bagIds, ArrayView<long> blockStarts, ArrayView<float> output)
    {
        var at = new GpuLookup(index, lookup.Lanes, (int)tables.Storage.Length, lookup.Dim, args);
        if (!at.Active) return;
        var cell = new BagCell(lookup, args, tables, at.Table);
        int first = bagOffsets[at.Pair], end = bagOffsets[at.Pair + 1], lanes = lookup.Lanes, dim = lookup.Dim;
        bool mean = cell.Mean && end - first > 1;
        float count = end - first;
        int steps = (dim - at.Lane + lanes - 1) / lanes;
        if (steps <= RegisterSteps)
        {
            int c0 = at.Lane, c1 = c0 + lanes, c2 = c1 + lanes, c3 = c2 + lanes;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int i = first; i < end; i++)
            {
                ulong token = bagIds[i];
                long recordBase = (long)i * args.MaxBlocks;
                s0 += cell.Value(weights, blockStarts, token, recordBase, c0);
                if (steps > 1) s1 += cell.Value(weights, blockStarts, token, recordBase, c1);
                if (steps > 2) s2 += cell.Value(weights, blockStarts, token, recordBase, c2);
                if (steps > 3) s3 += cell.Value(weights, blockStarts, token, recordBase, c3);
            }
            output[at.OutputBase + c0] = mean ? s0 / count : s0;
            if (steps > 1) output[at.OutputBase + c1] = mean ? s1 / count : s1;
            if (steps > 2) output[at.OutputBase + c2] = mean ? s2 / count : s2;
            if (steps > 3) output[at.OutputBase + c3] = mean ? s3 / count : s3;
            return;
        }
        for (int c = at.Lane; c < dim; c += lanes)
        {
            float sum = 0f;
            for (int i = first; i < end; i++) sum += cell.Value(weights, blockStarts, bagIds[i], (long)i * args.MaxBlocks, c);
            output[at.OutputBase + c] = mean ? sum / count : sum;
        }
    }

    /// <summary>Coordinates per lane whose bag sums the gather keeps in registers (4 x 32 lanes: d up to 128, MLPerf's).</summary>
    internal const int RegisterSteps = 4;

    /// <summary>What the bag gather knows of one cell's table, and one id coordinate's weight from it.</summary>
    private readonly struct BagCell
    {
        private readonly int _storage, _blockSize, _variant, _record;
        private readonly long _range, _rows, _quotientRows, _tableBase, _robeSlots;
        private readonly ulong _tokenOffset;
        private readonly int _dim;

        public BagCell(GenericLookup lookup, GpuEmbeddingArgs args, GpuTableViews tables, int table)
        {
            _storage = tables.Storage[table];
            _blockSize = args.BlockSize;
            _variant = lookup.Variant;
            _record = args.ForwardOnly == 0 ? 1 : 0;
            _robeSlots = args.RobeSlots;
            _range = RobeHash.StartRange(args.RobeSlots, args.BlockSize, lookup.Variant == (int)RobeVariant.Circular);
            _tokenOffset = tables.TokenOffsets[table];
            _rows = tables.Rows[table];
            _quotientRows = tables.QuotientRows[table];
            _tableBase = tables.TableBase[table];
            _dim = lookup.Dim;
            Mean = tables.Pooling[table] == (int)Pooling.Mean;
        }

        public bool Mean { get; }

        /// <summary>Coordinate <paramref name="c"/> of id <paramref name="token"/>'s vector (signed, or the product of its
        /// QuotientRemainder rows), recording the id's starts at <paramref name="recordBase"/> from its first coordinate of
        /// each block (ROBE) or from coordinate 0.</summary>
        public float Value(ArrayView<float> weights, ArrayView<long> blockStarts, ulong token, long recordBase, int c)
        {
            bool record = _record != 0;
            if (_storage == (int)EmbeddingStorage.Robe)
            {
                bool circular = _variant == (int)RobeVariant.Circular;
                ulong key = RobeHash.KeyOf(token, _tokenOffset);
                int block = c / _blockSize, k = c - block * _blockSize;
                int start = RobeHash.BlockStart(RobeHash.RowTerm(key), block, _range);
                if (record && k == 0) blockStarts[recordBase + block] = start;
                float value = weights[circular ? RobeHash.Wrap((long)start + k, _robeSlots) : start + k];
                return _variant == (int)RobeVariant.Signed ? value * SignHash.SignFromRowTerm(SignHash.RowTerm(key), c) : value;
            }
            if (_storage == (int)EmbeddingStorage.QuotientRemainder)
            {
                long quotient = TableRows.QuotientRowStart(token, _quotientRows, _rows, _tableBase, _dim);
                long remainder = TableRows.RemainderRowStart(token, _quotientRows, _rows, _tableBase, _dim);
                if (record && c == 0)
                {
                    blockStarts[recordBase] = quotient;
                    blockStarts[recordBase + 1] = remainder;
                }
                return weights[quotient + c] * weights[remainder + c];
            }
            long rowStart = _storage == (int)EmbeddingStorage.Full
                ? TableRows.FullRowStart(token, _rows, _tableBase, _dim)
                : TableRows.HashedRowStart(token, _rows, _tableBase, _dim);
            if (record && c == 0) blockStarts[recordBase] = rowStart;
            // A Full table's id outside its rows (start -1) adds zeros, as in the generated kernel.
            return rowStart >= 0 ? weights[rowStart + c] : 0f;
        }
    }

    /// <summary>The bag scatter with float atomics: each id of a cell adds g (Sum) or g / count (Mean) at its recorded
    /// slots. A lane takes its coordinates one at a time and reads (and divides) that coordinate's g once for all the
    /// cell's ids.</summary>
    internal static void ScatterBagsAtomicKernel(Index1D index, GenericLookup lookup, GpuEmbeddingArgs args, GpuTableViews tables, ArrayView<float> weights,
        ArrayView<int> bagOffsets, ArrayView<ulong> bagIds, ArrayView<long> blockStarts, ArrayView<float> gradOutput, ArrayView<float> gradWeights)
    {
        var at = new GpuLookup(index, lookup.Lanes, (int)tables.Storage.Length, lookup.Dim, args);
        if (!at.Active) return;
        int dim = lookup.Dim, storage = tables.Storage[at.Table];
        int first = bagOffsets[at.Pair], end = bagOffsets[at.Pair + 1];
        bool mean = tables.Pooling[at.Table] == (int)Pooling.Mean && end - first > 1;
        float count = end - first;
        int blockSize = args.BlockSize;
        bool circular = lookup.Variant == (int)RobeVariant.Circular, signed = lookup.Variant == (int)RobeVariant.Signed;
        ulong tokenOffset = tables.TokenOffsets[at.Table];
        for (int c = at.Lane; c < dim; c += lookup.Lanes)
        {
            float g = gradOutput[at.OutputBase + c];
            if (mean) g = g / count;
            for (int i = first; i < end; i++)
            {
                long recordBase = (long)i * args.MaxBlocks;
                if (storage == (int)EmbeddingStorage.Robe)
                {
                    int block = c / blockSize;
                    long slot = blockStarts[recordBase + block] + (c - block * blockSize);
                    if (circular) slot = RobeHash.Wrap(slot, args.RobeSlots);
                    ulong signTerm = signed ? SignHash.RowTerm(RobeHash.KeyOf(bagIds[i], tokenOffset)) : 0UL;
                    Atomic.Add(ref gradWeights[slot], signed ? g * SignHash.SignFromRowTerm(signTerm, c) : g);
                }
                else if (storage == (int)EmbeddingStorage.QuotientRemainder)
                {
                    long quotient = blockStarts[recordBase], remainder = blockStarts[recordBase + 1];
                    float q = weights[quotient + c], r = weights[remainder + c];
                    Atomic.Add(ref gradWeights[quotient + c], g * r);
                    Atomic.Add(ref gradWeights[remainder + c], g * q);
                }
                else
                {
                    long rowStart = blockStarts[recordBase];
                    if (rowStart >= 0) Atomic.Add(ref gradWeights[rowStart + c], g);
                }
            }
        }
    }

    /// <summary>Gather: lane l of a lookup reads coordinates l, l + lanes, ... and records the block starts (unless
    /// ForwardOnly). A Full
    /// table's out-of-range token reads zeros and records start -1 (no exceptions on a GPU).</summary>
    internal static void GatherKernel(Index1D index, GenericLookup lookup, GpuEmbeddingArgs args, GpuTableViews tables, ArrayView<float> weights,
        ArrayView<ulong> tokens, ArrayView<long> blockStarts, ArrayView<float> output)
    {
        var at = new GpuLookup(index, lookup.Lanes, (int)tables.Storage.Length, lookup.Dim, args);
        if (!at.Active) return;
        int dim = lookup.Dim, storage = tables.Storage[at.Table];
        bool record = args.ForwardOnly == 0;
        ulong token = tokens[at.Pair];
        if (storage == (int)EmbeddingStorage.Robe)
        {
            int blockSize = args.BlockSize;
            bool circular = lookup.Variant == (int)RobeVariant.Circular, signed = lookup.Variant == (int)RobeVariant.Signed;
            long range = RobeHash.StartRange(args.RobeSlots, blockSize, circular);
            ulong key = RobeHash.KeyOf(token, tables.TokenOffsets[at.Table]);
            ulong rowTerm = RobeHash.RowTerm(key), signTerm = signed ? SignHash.RowTerm(key) : 0UL;
            for (int c = at.Lane; c < dim; c += lookup.Lanes)
            {
                int block = c / blockSize, k = c - block * blockSize;
                int start = RobeHash.BlockStart(rowTerm, block, range);
                if (record && k == 0) blockStarts[at.RecordBase + block] = start;
                float value = weights[circular ? RobeHash.Wrap((long)start + k, args.RobeSlots) : start + k];
                output[at.OutputBase + c] = signed ? value * SignHash.SignFromRowTerm(signTerm, c) : value;
            }
        }
        else if (storage == (int)EmbeddingStorage.QuotientRemainder)
        {
            long quotientRows = tables.QuotientRows[at.Table], remainderRows = tables.Rows[at.Table], tableBase = tables.TableBase[at.Table];
            long quotient = TableRows.QuotientRowStart(token, quotientRows, remainderRows, tableBase, dim);
            long remainder = TableRows.RemainderRowStart(token, quotientRows, remainderRows, tableBase, dim);
            if (record && at.Lane == 0)
            {
                blockStarts[at.RecordBase] = quotient;
                blockStarts[at.RecordBase + 1] = remainder;
            }
            for (int c = at.Lane; c < dim; c += lookup.Lanes) output[at.OutputBase + c] = weights[quotient + c] * weights[remainder + c];
        }
        else
        {
            long rows = tables.Rows[at.Table], tableBase = tables.TableBase[at.Table];
            long rowStart = storage == (int)EmbeddingStorage.Full
                ? TableRows.FullRowStart(token, rows, tableBase, dim)
                : TableRows.HashedRowStart(token, rows, tableBase, dim);
            if (record && at.Lane == 0) blockStarts[at.RecordBase] = rowStart;
            for (int c = at.Lane; c < dim; c += lookup.Lanes) output[at.OutputBase + c] = rowStart >= 0 ? weights[rowStart + c] : 0f;
        }
    }

    /// <summary>Gradient scatter with float atomics at the slots the gather recorded (times the sign for Signed; the
    /// product rule for QuotientRemainder, reading the weights the gather read).</summary>
    internal static void ScatterAtomicKernel(Index1D index, GenericLookup lookup, GpuEmbeddingArgs args, GpuTableViews tables, ArrayView<float> weights,
        ArrayView<ulong> tokens, ArrayView<long> blockStarts, ArrayView<float> gradOutput, ArrayView<float> gradWeights)
    {
        var at = new GpuLookup(index, lookup.Lanes, (int)tables.Storage.Length, lookup.Dim, args);
        if (!at.Active) return;
        int dim = lookup.Dim, storage = tables.Storage[at.Table];
        if (storage == (int)EmbeddingStorage.Robe)
        {
            int blockSize = args.BlockSize;
            bool circular = lookup.Variant == (int)RobeVariant.Circular, signed = lookup.Variant == (int)RobeVariant.Signed;
            ulong signTerm = signed ? SignHash.RowTerm(RobeHash.KeyOf(tokens[at.Pair], tables.TokenOffsets[at.Table])) : 0UL;
            for (int c = at.Lane; c < dim; c += lookup.Lanes)
            {
                int block = c / blockSize;
                long slot = blockStarts[at.RecordBase + block] + (c - block * blockSize);
                if (circular) slot = RobeHash.Wrap(slot, args.RobeSlots);
                float g = gradOutput[at.OutputBase + c];
                Atomic.Add(ref gradWeights[slot], signed ? g * SignHash.SignFromRowTerm(signTerm, c) : g);
            }
        }
        else if (storage == (int)EmbeddingStorage.QuotientRemainder)
        {
            long quotient = blockStarts[at.RecordBase], remainder = blockStarts[at.RecordBase + 1];
            for (int c = at.Lane; c < dim; c += lookup.Lanes)
            {
                float g = gradOutput[at.OutputBase + c], q = weights[quotient + c], r = weights[remainder + c];
                Atomic.Add(ref gradWeights[quotient + c], g * r);
                Atomic.Add(ref gradWeights[remainder + c], g * q);
            }
        }
        else
        {
            long rowStart = blockStarts[at.RecordBase];
            if (rowStart < 0) return;
            for (int c = at.Lane; c < dim; c += lookup.Lanes) Atomic.Add(ref gradWeights[rowStart + c], gradOutput[at.OutputBase + c]);
        }
    }

    /// <summary>The per-layout constants of the generic kernels (the generated ones have them as literals).</summary>
    internal struct GenericLookup
    {
        public int Dim;
        public int Lanes;
        /// <summary>The <see cref="RobeVariant"/> as int.</summary>
        public int Variant;
    }
}
