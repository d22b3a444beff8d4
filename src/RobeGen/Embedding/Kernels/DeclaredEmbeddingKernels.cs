using System.ComponentModel;

namespace RobeGen;

/// <summary>
/// Base of the CPU loops the generator emits for one declaration (<c>CpuEmbedding</c>): the argument checks, SlotOf,
/// and the hand-over of a layout the loops were not generated for (<see cref="EmbeddingLayout.MatchesDeclaredKernels"/>
/// false: a run-time storage or Z) to the generic loops, so that every layout of the declaration still works through
/// <see cref="IDlrmDefinition.Embedding"/>. The generated class implements only the declared layout's loops.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class DeclaredEmbeddingKernels : IEmbeddingKernels
{
    private readonly ModelDeclaration _declaration;

    /// <summary>Kernels of <paramref name="declaration"/> (generated code passes its own).</summary>
    protected DeclaredEmbeddingKernels(ModelDeclaration declaration)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        _declaration = declaration;
    }

    /// <inheritdoc/>
    public void Gather(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, int batch, Span<long> blockStarts, Span<float> output)
    {
        EmbeddingChecks.SameDeclaration(layout, _declaration);
        EmbeddingChecks.Call(layout, batch, tokens.Length, blockStarts.Length, output.Length, "output", weights.Length, "weights");
        if (layout.MatchesDeclaredKernels) GatherDeclared(layout, weights, tokens, batch, blockStarts, output);
        else GenericEmbeddingKernels.GatherChecked(layout, weights, tokens, batch, blockStarts, output);
    }

    /// <inheritdoc/>
    public void ScatterGradient(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, ReadOnlySpan<long> blockStarts, int batch,
        ReadOnlySpan<float> gradOutput, Span<float> gradWeights)
    {
        EmbeddingChecks.SameDeclaration(layout, _declaration);
        EmbeddingChecks.Call(layout, batch, tokens.Length, blockStarts.Length, gradOutput.Length, "gradOutput", gradWeights.Length, "gradWeights");
        EmbeddingChecks.ScatterWeights(layout, weights.Length);
        if (layout.MatchesDeclaredKernels) ScatterDeclared(layout, weights, tokens, blockStarts, batch, gradOutput, gradWeights);
        else GenericEmbeddingKernels.ScatterChecked(layout, weights, tokens, blockStarts, batch, gradOutput, gradWeights);
    }

    /// <inheritdoc/>
    public void GatherBags(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<int> bagOffsets, ReadOnlySpan<ulong> bagIds, int batch,
        Span<long> blockStarts, Span<float> output)
    {
        EmbeddingChecks.SameDeclaration(layout, _declaration);
        EmbeddingChecks.BagCall(layout, batch, bagOffsets, bagIds.Length, blockStarts.Length, output.Length, "output", weights.Length, "weights");
        if (layout.MatchesDeclaredKernels) GatherBagsDeclared(layout, weights, bagOffsets, bagIds, batch, blockStarts, output);
        else GenericEmbeddingKernels.GatherBagsChecked(layout, weights, bagOffsets, bagIds, batch, blockStarts, output);
    }

    /// <inheritdoc/>
    public void ScatterBagGradient(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<int> bagOffsets, ReadOnlySpan<ulong> bagIds,
        ReadOnlySpan<long> blockStarts, int batch, ReadOnlySpan<float> gradOutput, Span<float> gradWeights)
    {
        EmbeddingChecks.SameDeclaration(layout, _declaration);
        EmbeddingChecks.BagCall(layout, batch, bagOffsets, bagIds.Length, blockStarts.Length, gradOutput.Length, "gradOutput", gradWeights.Length, "gradWeights");
        EmbeddingChecks.ScatterWeights(layout, weights.Length);
        if (layout.MatchesDeclaredKernels) ScatterBagsDeclared(layout, weights, bagOffsets, bagIds, blockStarts, batch, gradOutput, gradWeights);
        else GenericEmbeddingKernels.ScatterBagsChecked(layout, weights, bagOffsets, bagIds, blockStarts, batch, gradOutput, gradWeights);
    }

    /// <summary>The bag gather of the declared layout (checked like <see cref="GatherDeclared"/>); the generated class of a
    /// declaration with multi-hot tables overrides it with its pooling built in, any other runs the generic bag loop.</summary>
    protected virtual void GatherBagsDeclared(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<int> bagOffsets, ReadOnlySpan<ulong> bagIds,
        int batch, Span<long> blockStarts, Span<float> output) =>
        GenericEmbeddingKernels.GatherBagsChecked(layout, weights, bagOffsets, bagIds, batch, blockStarts, output);

    /// <summary>The bag scatter of the declared layout (see <see cref="GatherBagsDeclared"/>).</summary>
    protected virtual void ScatterBagsDeclared(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<int> bagOffsets, ReadOnlySpan<ulong> bagIds,
        ReadOnlySpan<long> blockStarts, int batch, ReadOnlySpan<float> gradOutput, Span<float> gradWeights) =>
        GenericEmbeddingKernels.ScatterBagsChecked(layout, weights, bagOffsets, bagIds, blockStarts, batch, gradOutput, gradWeights);

    /// <inheritdoc/>
    public (long Slot, float Sign) SlotOf(EmbeddingLayout layout, int table, ulong token, int j)
    {
        EmbeddingChecks.SameDeclaration(layout, _declaration);
        return GenericEmbeddingKernels.Instance.SlotOf(layout, table, token, j);
    }

    /// <summary>The generic gather, for a generated class whose d is too large to unroll.</summary>
    protected static void GatherGeneric(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, int batch,
        Span<long> blockStarts, Span<float> output) =>
        GenericEmbeddingKernels.GatherChecked(layout, weights, tokens, batch, blockStarts, output);

    /// <summary>The generic scatter, for a generated class whose d is too large to unroll.</summary>
    protected static void ScatterGeneric(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, ReadOnlySpan<long> blockStarts,
        int batch, ReadOnlySpan<float> gradOutput, Span<float> gradWeights) =>
        GenericEmbeddingKernels.ScatterChecked(layout, weights, tokens, blockStarts, batch, gradOutput, gradWeights);

    /// <summary>The gather of the declared layout (checked: the buffers are large enough and the layout matches the
    /// declaration's storage and Z). Same contract as <see cref="IEmbeddingKernels.Gather"/>.</summary>
    protected abstract void GatherDeclared(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, int batch,
        Span<long> blockStarts, Span<float> output);

    /// <summary>The scatter of the declared layout (checked like <see cref="GatherDeclared"/>). Same contract as
    /// <see cref="IEmbeddingKernels.ScatterGradient"/>.</summary>
    protected abstract void ScatterDeclared(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, ReadOnlySpan<long> blockStarts,
        int batch, ReadOnlySpan<float> gradOutput, Span<float> gradWeights);
}
