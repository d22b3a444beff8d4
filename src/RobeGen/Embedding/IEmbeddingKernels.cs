namespace RobeGen;

/// <summary>
/// The plain-C# embedding loops (the CPU backend's hot path): the ones the generator emits for a declared model, or the
/// generic ones for a run-time layout (<see cref="EmbeddingLayout.MatchesDeclaredKernels"/>).
/// Every method works on a contiguous range of samples so that the caller can split a batch over threads.
/// Shapes (row-major): tokens [batch, tables]; embeddings [batch, tables, dim];
/// block starts [batch, tables, layout.MaxBlocks].
/// </summary>
public interface IEmbeddingKernels
{
    /// <summary>
    /// Reads the embedding of every (sample, table) into <paramref name="output"/> and records the start slot
    /// of every block in <paramref name="blockStarts"/> so that the backward pass does not hash again.
    /// </summary>
    void Gather(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, int batch,
        Span<long> blockStarts, Span<float> output);

    /// <summary>
    /// Adds dL/dE of every (sample, table, coordinate) into the slot it was read from:
    /// <paramref name="gradWeights"/>[slot] += <paramref name="gradOutput"/>[...] (times the sign, for the Signed variant).
    /// A QuotientRemainder coordinate E[j] = Q[q][j] * Rm[r][j] is not linear in the weights: it adds g * Rm[r][j] at
    /// Q[q][j] and g * Q[q][j] at Rm[r][j], reading <paramref name="weights"/> (the values the gather read, before this
    /// step's update). Runs in sample order, so the result is deterministic.
    /// </summary>
    void ScatterGradient(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, ReadOnlySpan<long> blockStarts, int batch,
        ReadOnlySpan<float> gradOutput, Span<float> gradWeights);

    /// <summary>
    /// The bag path of a multi-hot batch (<see cref="Data.Batch.IsMultiHot"/>): cell (sample, table) holds the ids
    /// <paramref name="bagIds"/>[<paramref name="bagOffsets"/>[c] .. <paramref name="bagOffsets"/>[c + 1]), c = sample * T + table
    /// (<paramref name="bagOffsets"/> holds batch * T + 1 entries for the samples of this call; its values index
    /// <paramref name="bagIds"/>, which is the whole batch's). The embedding of the cell in <paramref name="output"/> [batch, T, d]
    /// is the sum of its ids' embeddings, divided by their count for a <see cref="Pooling.Mean"/> table; an empty bag gives
    /// zeros. The block starts of id i are recorded at <paramref name="blockStarts"/>[i * MaxBlocks ..] ([ids, MaxBlocks], indexed
    /// like <paramref name="bagIds"/>).
    /// </summary>
    void GatherBags(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<int> bagOffsets, ReadOnlySpan<ulong> bagIds, int batch,
        Span<long> blockStarts, Span<float> output) =>
        throw new NotSupportedException($"{GetType().Name} has no bag path for multi-hot batches.");

    /// <summary>
    /// The gradient of <see cref="GatherBags"/>: every id of a cell adds the cell's dL/dE (Sum), or dL/dE / count (Mean),
    /// at the slots its gather recorded (the product rule for QuotientRemainder, as <see cref="ScatterGradient"/>). Runs in
    /// sample, table, id order, so the result is deterministic.
    /// </summary>
    void ScatterBagGradient(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<int> bagOffsets, ReadOnlySpan<ulong> bagIds,
        ReadOnlySpan<long> blockStarts, int batch, ReadOnlySpan<float> gradOutput, Span<float> gradWeights) =>
        throw new NotSupportedException($"{GetType().Name} has no bag path for multi-hot batches.");

    /// <summary>The slot (index into the flat embedding array) that coordinate <paramref name="j"/> of
    /// <paramref name="token"/> in table <paramref name="table"/> reads, and its sign (+1 except for the Signed variant).
    /// A QuotientRemainder coordinate reads two slots (a product), so it has no single slot: NotSupportedException.</summary>
    (long Slot, float Sign) SlotOf(EmbeddingLayout layout, int table, ulong token, int j);
}

/// <summary>What the generator makes of every declaration: the generated partial class implements this.</summary>
public interface IDlrmDefinition
{
    /// <summary>The declaration as the generator resolved it.</summary>
    ModelDeclaration Declaration { get; }

    /// <summary>The generated plain-C# embedding loops: unrolled for the declared layout, and correct for every layout of
    /// the declaration (one they were not generated for runs the generic loops).</summary>
    IEmbeddingKernels Embedding { get; }

    /// <summary>The generated ILGPU embedding kernels: for the layouts of <see cref="EmbeddingLayout.MatchesDeclaredKernels"/>
    /// only (the backends pick the generic kernels for any other).</summary>
    IGpuEmbeddingKernels GpuEmbedding { get; }
}
