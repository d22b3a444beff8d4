namespace RobeGen.Tests.Cuda.TestModels;

/// <summary>
/// A hand-written <see cref="IDlrmDefinition"/> for the CUDA tests while no generated model is at hand: the
/// reference hash, with plain loops on the CPU and a generic (not unrolled) ILGPU kernel on the device.
/// </summary>
internal sealed class ReferenceDefinition : IDlrmDefinition
{
    public ReferenceDefinition(ModelDeclaration declaration)
    {
        Declaration = declaration;
        Embedding = new ReferenceCpuEmbedding(declaration);
        GpuEmbedding = new ReferenceGpuEmbedding(declaration);
    }

    public ModelDeclaration Declaration { get; }
    public IEmbeddingKernels Embedding { get; }
    public IGpuEmbeddingKernels GpuEmbedding { get; }
}

/// <summary>
/// Slow obvious CPU embedding loops. Block starts follow the generator's convention: ROBE tables record every block
/// start; Full/Hashed tables record their row start as block 0 (the other records are left at -1, so a backend that
/// reads them fails loudly).
/// </summary>
internal sealed class ReferenceCpuEmbedding(ModelDeclaration declaration) : IEmbeddingKernels
{
    public (long Slot, float Sign) SlotOf(EmbeddingLayout layout, int table, ulong token, int j)
    {
        ulong xg = token + declaration.Tables[table].TokenOffset;
        switch (layout.Storage[table])
        {
            case EmbeddingStorage.Full:
                return (layout.TableBase[table] + (long)token * layout.Dim + j, 1f);
            case EmbeddingStorage.Hashed:
                return (layout.TableBase[table] + (long)(token % (ulong)layout.Rows[table]) * layout.Dim + j, 1f);
        }
        int z = layout.BlockSize, block = j / z;
        bool circular = layout.Variant == RobeVariant.Circular;
        long start = ReferenceRobe.BlockStart(xg, block, layout.RobeSlots, z, circular);
        long slot = circular ? (start + j % z) % layout.RobeSlots : start + j % z;
        return (slot, layout.Variant == RobeVariant.Signed ? ReferenceRobe.Sign(xg, j) : 1f);
    }

    public void Gather(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, int batch,
        Span<long> blockStarts, Span<float> output)
    {
        int tables = layout.TableCount, d = layout.Dim;
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < tables; t++)
            {
                ulong token = tokens[b * tables + t];
                long record = (long)(b * tables + t) * layout.MaxBlocks;
                for (int c = 0; c < layout.MaxBlocks; c++) blockStarts[(int)record + c] = -1;
                for (int j = 0; j < d; j++)
                {
                    var (slot, sign) = SlotOf(layout, t, token, j);
                    output[(b * tables + t) * d + j] = sign * weights[(int)slot];
                }
                if (layout.Storage[t] == EmbeddingStorage.Robe)
                    for (int c = 0; c < layout.RobeBlocks; c++)
                        blockStarts[(int)record + c] = ReferenceRobe.BlockStart(token + declaration.Tables[t].TokenOffset, c,
                            layout.RobeSlots, layout.BlockSize, layout.Variant == RobeVariant.Circular);
                else
                    blockStarts[(int)record] = SlotOf(layout, t, token, 0).Slot;
            }
    }

    public void ScatterGradient(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, ReadOnlySpan<long> blockStarts, int batch,
        ReadOnlySpan<float> gradOutput, Span<float> gradWeights)
    {
        int tables = layout.TableCount, d = layout.Dim;
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < tables; t++)
                for (int j = 0; j < d; j++)
                {
                    var (slot, sign) = SlotOf(layout, t, tokens[b * tables + t], j);
                    gradWeights[(int)slot] += gradOutput[(b * tables + t) * d + j] * sign;
                }
    }
}
