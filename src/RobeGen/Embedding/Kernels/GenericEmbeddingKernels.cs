namespace RobeGen;

/// <summary>
/// The hand-written CPU loops for any layout of any declaration: every table's storage, Z and token offset are read
/// from the layout at run time (a loop over blocks where the generated loops unroll them). They run the run-time
/// overrides (a --storage or --block-size other than the declaration's); <see cref="EmbeddingKernelSelector"/> picks
/// them. Same numbers, block-start records and addition order as the generated loops.
/// </summary>
internal sealed class GenericEmbeddingKernels : IEmbeddingKernels
{
    public static GenericEmbeddingKernels Instance { get; } = new();

    private GenericEmbeddingKernels() { }

    public void Gather(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, int batch, Span<long> blockStarts, Span<float> output)
    {
        EmbeddingChecks.Layout(layout);
        EmbeddingChecks.Call(layout, batch, tokens.Length, blockStarts.Length, output.Length, "output", weights.Length, "weights");
        GatherChecked(layout, weights, tokens, batch, blockStarts, output);
    }

    public void ScatterGradient(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, ReadOnlySpan<long> blockStarts, int batch,
        ReadOnlySpan<float> gradOutput, Span<float> gradWeights)
    {
        EmbeddingChecks.Layout(layout);
        EmbeddingChecks.Call(layout, batch, tokens.Length, blockStarts.Length, gradOutput.Length, "gradOutput", gradWeights.Length, "gradWeights");
        EmbeddingChecks.ScatterWeights(layout, weights.Length);
        ScatterChecked(layout, weights, tokens, blockStarts, batch, gradOutput, gradWeights);
    }

    public void GatherBags(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<int> bagOffsets, ReadOnlySpan<ulong> bagIds, int batch,
        Span<long> blockStarts, Span<float> output)
    {
        EmbeddingChecks.Layout(layout);
        EmbeddingChecks.BagCall(layout, batch, bagOffsets, bagIds.Length, blockStarts.Length, output.Length, "output", weights.Length, "weights");
        GatherBagsChecked(layout, weights, bagOffsets, bagIds, batch, blockStarts, output);
    }

    public void ScatterBagGradient(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<int> bagOffsets, ReadOnlySpan<ulong> bagIds,
        ReadOnlySpan<long> blockStarts, int batch, ReadOnlySpan<float> gradOutput, Span<float> gradWeights)
    {
        EmbeddingChecks.Layout(layout);
        EmbeddingChecks.BagCall(layout, batch, bagOffsets, bagIds.Length, blockStarts.Length, gradOutput.Length, "gradOutput", gradWeights.Length, "gradWeights");
        EmbeddingChecks.ScatterWeights(layout, weights.Length);
        ScatterBagsChecked(layout, weights, bagOffsets, bagIds, blockStarts, batch, gradOutput, gradWeights);
    }

    public (long Slot, float Sign) SlotOf(EmbeddingLayout layout, int table, ulong token, int j)
    {
        EmbeddingChecks.Slot(layout, table, j);
        int dim = layout.Dim;
        switch (layout.Storage[table])
        {
            case EmbeddingStorage.QuotientRemainder:
                throw EmbeddingChecks.QuotientRemainderHasNoSlot(layout, table);
            case EmbeddingStorage.Full:
                return (new RowTable(layout, table).FullRowStart(token, dim) + j, 1f);
            case EmbeddingStorage.Hashed:
                return (new RowTable(layout, table).HashedRowStart(token, dim) + j, 1f);
        }
        var robe = new RobeRun(layout);
        ulong key = RobeHash.KeyOf(token, layout.Declaration.Tables[table].TokenOffset);
        int z = layout.BlockSize;
        long slot = RobeHash.StartOf(RobeHash.Hash(key, j / z), robe.Range) + j % z;
        if (robe.Circular) slot = RobeHash.Wrap(slot, robe.Slots);
        return (slot, robe.Signed ? SignHash.SignOf(key, j) : 1f);
    }

    /// <summary>The gather after the checks (the generated loops hand a layout they were not generated for to it).</summary>
    internal static void GatherChecked(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, int batch,
        Span<long> blockStarts, Span<float> output)
    {
        int tables = layout.TableCount, dim = layout.Dim, records = layout.MaxBlocks;
        var robe = new RobeRun(layout);
        for (int sample = 0; sample < batch; sample++)
        {
            for (int table = 0; table < tables; table++)
            {
                int pair = sample * tables + table;
                ulong token = tokens[pair];
                Span<long> starts = blockStarts.Slice(pair * records, records);
                Span<float> embedding = output.Slice(pair * dim, dim);
                GatherOne(layout, robe, table, token, weights, starts, embedding);
            }
        }
    }

    /// <summary>The scatter after the checks, in sample, table, coordinate order.</summary>
    internal static void ScatterChecked(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, ReadOnlySpan<long> blockStarts, int batch,
        ReadOnlySpan<float> gradOutput, Span<float> gradWeights)
    {
        int tables = layout.TableCount, dim = layout.Dim, records = layout.MaxBlocks;
        var robe = new RobeRun(layout);
        for (int sample = 0; sample < batch; sample++)
        {
            for (int table = 0; table < tables; table++)
            {
                int pair = sample * tables + table;
                ReadOnlySpan<long> starts = blockStarts.Slice(pair * records, records);
                ReadOnlySpan<float> gradient = gradOutput.Slice(pair * dim, dim);
                ScatterOne(layout, robe, table, tokens[pair], weights, starts, gradient, gradWeights);
            }
        }
    }

    /// <summary>The bag gather after the checks: per cell, each id's embedding (the single-id gather of its table's
    /// storage, its starts recorded at the id's index) added in id order, then divided by the count for Mean.</summary>
    internal static void GatherBagsChecked(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<int> bagOffsets, ReadOnlySpan<ulong> bagIds,
        int batch, Span<long> blockStarts, Span<float> output)
    {
        int tables = layout.TableCount, dim = layout.Dim, records = layout.MaxBlocks;
        var robe = new RobeRun(layout);
        Span<float> one = dim <= 512 ? stackalloc float[dim] : new float[dim];
        for (int sample = 0; sample < batch; sample++)
        {
            for (int table = 0; table < tables; table++)
            {
                int cell = sample * tables + table;
                int first = bagOffsets[cell], end = bagOffsets[cell + 1];
                Span<float> pooled = output.Slice(cell * dim, dim);
                pooled.Clear();
                for (int i = first; i < end; i++)
                {
                    ulong token = bagIds[i];
                    Span<long> starts = blockStarts.Slice(i * records, records);
                    GatherOne(layout, robe, table, token, weights, starts, one);
                    BlockCopy.AddInto(one, pooled);
                }
                if (layout.Pooling[table] == Pooling.Mean) BlockCopy.DivideBy(pooled, end - first);
            }
        }
    }

    /// <summary>The bag scatter after the checks, in sample, table, id order: each id adds the cell's gradient (divided by
    /// the count for Mean) at its recorded starts.</summary>
    internal static void ScatterBagsChecked(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<int> bagOffsets, ReadOnlySpan<ulong> bagIds,
        ReadOnlySpan<long> blockStarts, int batch, ReadOnlySpan<float> gradOutput, Span<float> gradWeights)
    {
        int tables = layout.TableCount, dim = layout.Dim, records = layout.MaxBlocks;
        var robe = new RobeRun(layout);
        Span<float> scaled = dim <= 512 ? stackalloc float[dim] : new float[dim];
        for (int sample = 0; sample < batch; sample++)
        {
            for (int table = 0; table < tables; table++)
            {
                int cell = sample * tables + table;
                int first = bagOffsets[cell], end = bagOffsets[cell + 1];
                ReadOnlySpan<float> gradient = BlockCopy.PoolGradient(gradOutput.Slice(cell * dim, dim), layout.Pooling[table], end - first, scaled);
                for (int i = first; i < end; i++)
                {
                    ReadOnlySpan<long> starts = blockStarts.Slice(i * records, records);
                    ScatterOne(layout, robe, table, bagIds[i], weights, starts, gradient, gradWeights);
                }
            }
        }
    }

    /// <summary>One id's embedding from its table's storage, its block starts recorded (the single-hot and bag gathers).</summary>
    private static void GatherOne(EmbeddingLayout layout, in RobeRun robe, int table, ulong token, ReadOnlySpan<float> weights, Span<long> starts, Span<float> embedding)
    {
        switch (layout.Storage[table])
        {
            case EmbeddingStorage.Robe:
                robe.Gather(RobeHash.KeyOf(token, layout.Declaration.Tables[table].TokenOffset), weights, starts, embedding);
                break;
            case EmbeddingStorage.Full:
                new RowTable(layout, table).GatherFull(token, weights, starts, embedding);
                break;
            case EmbeddingStorage.Hashed:
                new RowTable(layout, table).GatherHashed(token, weights, starts, embedding);
                break;
            default:
                new RowTable(layout, table).GatherQuotientRemainder(token, weights, starts, embedding);
                break;
        }
    }

    /// <summary>One id's gradient added at the starts its gather recorded (the single-hot and bag scatters).</summary>
    private static void ScatterOne(EmbeddingLayout layout, in RobeRun robe, int table, ulong token, ReadOnlySpan<float> weights, ReadOnlySpan<long> starts,
        ReadOnlySpan<float> gradient, Span<float> gradWeights)
    {
        switch (layout.Storage[table])
        {
            case EmbeddingStorage.Robe:
                // Only the Signed variant needs the token (its signs); the slots come from the recorded starts.
                ulong key = robe.Signed ? RobeHash.KeyOf(token, layout.Declaration.Tables[table].TokenOffset) : 0UL;
                robe.Scatter(key, starts, gradient, gradWeights);
                break;
            case EmbeddingStorage.QuotientRemainder:
                RowTable.ScatterQuotientRemainder(starts, gradient, weights, gradWeights);
                break;
            default:
                RowTable.ScatterRow(starts, gradient, gradWeights);
                break;
        }
    }

    /// <summary>The ROBE array of one call: m, Z, the start's modulus and the variant, read once.</summary>
    private readonly struct RobeRun
    {
        public RobeRun(EmbeddingLayout layout)
        {
            Slots = layout.RobeSlots;
            BlockSize = layout.BlockSize;
            Circular = layout.Variant == RobeVariant.Circular;
            Signed = layout.Variant == RobeVariant.Signed;
            Range = RobeHash.StartRange(Slots, BlockSize, Circular);
        }

        public long Slots { get; }
        public int BlockSize { get; }
        public bool Circular { get; }
        public bool Signed { get; }
        public long Range { get; }

        /// <summary>One ROBE embedding: block c of Z coordinates (the last may be partial) from its hashed start, which is recorded.</summary>
        public void Gather(ulong key, ReadOnlySpan<float> weights, Span<long> starts, Span<float> embedding)
        {
            ulong rowTerm = RobeHash.RowTerm(key);
            ulong signTerm = Signed ? SignHash.RowTerm(key) : 0UL;
            int dim = embedding.Length;
            for (int block = 0, first = 0; first < dim; block++, first += BlockSize)
            {
                int width = Math.Min(BlockSize, dim - first);
                long start = RobeHash.StartOf(RobeHash.HashFromRowTerm(rowTerm, block), Range);
                starts[block] = start;
                Span<float> target = embedding.Slice(first, width);
                if (Circular && start + width > Slots) BlockCopy.CopyWrapped(weights, start, Slots, target);
                else weights.Slice((int)start, width).CopyTo(target);
                if (Signed)
                    for (int k = 0; k < width; k++) target[k] *= SignHash.SignFromRowTerm(signTerm, first + k);
            }
        }

        /// <summary>Adds one ROBE embedding's gradient (times the signs for Signed) at its recorded block starts.</summary>
        public void Scatter(ulong key, ReadOnlySpan<long> starts, ReadOnlySpan<float> gradient, Span<float> gradWeights)
        {
            ulong signTerm = Signed ? SignHash.RowTerm(key) : 0UL;
            int dim = gradient.Length;
            for (int block = 0, first = 0; first < dim; block++, first += BlockSize)
            {
                int width = Math.Min(BlockSize, dim - first);
                long start = starts[block];
                ReadOnlySpan<float> source = gradient.Slice(first, width);
                if (Signed)
                {
                    Span<float> target = gradWeights.Slice((int)start, width);
                    for (int k = 0; k < width; k++) target[k] += source[k] * SignHash.SignFromRowTerm(signTerm, first + k);
                }
                else if (Circular && start + width > Slots) BlockCopy.AddWrapped(source, gradWeights, start, Slots);
                else BlockCopy.AddInto(source, gradWeights.Slice((int)start, width));
            }
        }
    }
}
