namespace RobeGen;

/// <summary>
/// The argument checks of every <see cref="IEmbeddingKernels"/> call (the generated loops' and the generic ones'), with
/// messages that name the buffer and the sizes it needs.
/// </summary>
internal static class EmbeddingChecks
{
    public static void Layout(EmbeddingLayout layout) => ArgumentNullException.ThrowIfNull(layout);

    /// <summary>A declaration's generated loops take layouts of that declaration only.</summary>
    public static void SameDeclaration(EmbeddingLayout layout, ModelDeclaration declaration)
    {
        Layout(layout);
        if (layout.Declaration.Fingerprint != declaration.Fingerprint)
            throw new ArgumentException(
                $"The layout was made for {layout.Declaration.Name} (fingerprint {layout.Declaration.Fingerprint}), not for {declaration.Name} " +
                $"(fingerprint {declaration.Fingerprint}); build it with EmbeddingLayout.FromDeclaration({declaration.Name}.Declaration).", nameof(layout));
    }

    /// <summary>Batch and buffer sizes of a gather or scatter: [batch, T] tokens, [batch, T, MaxBlocks] block starts,
    /// [batch, T, d] embeddings (or their gradient) and the whole flat array of weights (or their gradient).</summary>
    public static void Call(EmbeddingLayout layout, int batch, int tokens, int blockStarts, int embeddings, string embeddingsName, int weights, string weightsName)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must not be negative.");
        int tables = layout.TableCount, dim = layout.Dim;
        long pairs = (long)batch * tables;
        if (tokens < pairs)
            throw new ArgumentException($"tokens holds {tokens} values; {batch} samples x {tables} tables need {pairs}.", "tokens");
        if (blockStarts < pairs * layout.MaxBlocks)
            throw new ArgumentException(
                $"blockStarts holds {blockStarts} values; {batch} samples x {tables} tables x {layout.MaxBlocks} blocks need {pairs * layout.MaxBlocks}.", "blockStarts");
        if (embeddings < pairs * dim)
            throw new ArgumentException($"{embeddingsName} holds {embeddings} values; {batch} samples x {tables} tables x {dim} need {pairs * dim}.", embeddingsName);
        if (weights < layout.TotalParameters)
            throw new ArgumentException($"{weightsName} holds {weights} floats; the layout's embedding array has {layout.TotalParameters}.", weightsName);
    }

    /// <summary>Sizes of a bag gather or scatter: batch * T + 1 offsets, non-decreasing and within the ids, [ids, MaxBlocks]
    /// block starts (indexed like the ids), [batch, T, d] embeddings and the whole flat array.</summary>
    public static void BagCall(EmbeddingLayout layout, int batch, ReadOnlySpan<int> bagOffsets, int bagIds, int blockStarts, int embeddings,
        string embeddingsName, int weights, string weightsName)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must not be negative.");
        int tables = layout.TableCount, dim = layout.Dim;
        long cells = (long)batch * tables;
        if (bagOffsets.Length < cells + 1)
            throw new ArgumentException($"bagOffsets holds {bagOffsets.Length} values; {batch} samples x {tables} tables need {cells + 1}.", "bagOffsets");
        for (int c = 0; c < cells; c++)
            if (bagOffsets[c] > bagOffsets[c + 1])
                throw new ArgumentException($"bagOffsets[{c + 1}] = {bagOffsets[c + 1]} is below bagOffsets[{c}] = {bagOffsets[c]}; offsets must not decrease.", "bagOffsets");
        int first = bagOffsets[0], end = bagOffsets[(int)cells];
        if (first < 0 || end > bagIds)
            throw new ArgumentException($"The bags run over ids [{first}, {end}); bagIds holds {bagIds}.", "bagIds");
        if (blockStarts < (long)end * layout.MaxBlocks)
            throw new ArgumentException(
                $"blockStarts holds {blockStarts} values; ids up to {end} x {layout.MaxBlocks} blocks need {(long)end * layout.MaxBlocks}.", "blockStarts");
        if (embeddings < cells * dim)
            throw new ArgumentException($"{embeddingsName} holds {embeddings} values; {batch} samples x {tables} tables x {dim} need {cells * dim}.", embeddingsName);
        if (weights < layout.TotalParameters)
            throw new ArgumentException($"{weightsName} holds {weights} floats; the layout's embedding array has {layout.TotalParameters}.", weightsName);
    }

    /// <summary>The scatter reads the weights only for QuotientRemainder tables (the product rule); then they must be the whole array.</summary>
    public static void ScatterWeights(EmbeddingLayout layout, int weights)
    {
        if (layout.HasQuotientRemainder && weights < layout.TotalParameters)
            throw new ArgumentException(
                $"weights holds {weights} floats; the layout's embedding array has {layout.TotalParameters} (QuotientRemainder gradients read them).", "weights");
    }

    /// <summary>SlotOf's table index and coordinate.</summary>
    public static void Slot(EmbeddingLayout layout, int table, int j)
    {
        Layout(layout);
        if ((uint)table >= (uint)layout.TableCount)
            throw new ArgumentOutOfRangeException(nameof(table), table, "table must be in [0, " + layout.TableCount + ")");
        if ((uint)j >= (uint)layout.Dim)
            throw new ArgumentOutOfRangeException(nameof(j), j, "j must be in [0, " + layout.Dim + ")");
    }

    /// <summary>A Full table's token at or beyond its row count (the CPU loops refuse it; a kernel reads zeros).</summary>
    public static ArgumentOutOfRangeException FullTokenOutOfRange(EmbeddingLayout layout, int table, ulong token, long rows) =>
        new("tokens", token,
            $"Table {layout.Declaration.Tables[table].Name} (index {table}) is Full with {rows} rows, so its tokens must be vocabulary indices below {rows}; " +
            $"got {token}. Map the column through a vocabulary, declare a larger Cardinality, or use Storage = Hashed.");

    /// <summary>SlotOf of a QuotientRemainder table: a coordinate there is the product of two slots.</summary>
    public static NotSupportedException QuotientRemainderHasNoSlot(EmbeddingLayout layout, int table) =>
        new($"Table {layout.Declaration.Tables[table].Name} is QuotientRemainder: coordinate j reads the product of two slots, not one.");
}
