namespace RobeGen.Tests.TestModels;

/// <summary>
/// The slow, obvious bag path: a cell's embedding is the sum of single-id gathers of <see cref="ReferenceEmbeddingKernels"/>
/// (each id gathered alone), divided by the count for Mean; an empty bag is zeros. The gradient scatters, for every id,
/// a one-sample gradient that is the cell's dL/dE (Sum) or dL/dE / count (Mean) through the same reference.
/// </summary>
internal static class ReferenceBags
{
    private static readonly ReferenceEmbeddingKernels Single = new();

    /// <summary>Embeddings [batch, T, d] and block starts [ids, MaxBlocks] of a multi-hot batch.</summary>
    public static (float[] Output, long[] Starts) Gather(EmbeddingLayout layout, float[] weights, int[] offsets, ulong[] ids, int batch)
    {
        int tables = layout.TableCount, dim = layout.Dim, records = layout.MaxBlocks;
        var output = new float[batch * tables * dim];
        var starts = new long[ids.Length * records];
        for (int cell = 0; cell < batch * tables; cell++)
        {
            int table = cell % tables, count = offsets[cell + 1] - offsets[cell];
            var sum = new double[dim];
            for (int i = offsets[cell]; i < offsets[cell + 1]; i++)
            {
                var (embedding, idStarts) = One(layout, weights, table, ids[i]);
                for (int j = 0; j < dim; j++) sum[j] += embedding[j];
                idStarts.CopyTo(starts, i * records);
            }
            for (int j = 0; j < dim; j++)
                output[cell * dim + j] = count == 0 ? 0f : (float)(layout.Pooling[table] == Pooling.Mean ? sum[j] / count : sum[j]);
        }
        return (output, starts);
    }

    /// <summary>dL/d(embedding array) of a multi-hot batch from dL/dE [batch, T, d]: every id adds the cell's gradient
    /// (divided by the count for Mean) coordinate by coordinate at the slot it reads (the product rule for QuotientRemainder).</summary>
    public static float[] Scatter(EmbeddingLayout layout, float[] weights, int[] offsets, ulong[] ids, int batch, float[] gradOutput)
    {
        int tables = layout.TableCount, dim = layout.Dim;
        var grad = new float[layout.TotalParameters];
        for (int cell = 0; cell < batch * tables; cell++)
        {
            int table = cell % tables, count = offsets[cell + 1] - offsets[cell];
            for (int i = offsets[cell]; i < offsets[cell + 1]; i++)
            {
                for (int j = 0; j < dim; j++)
                {
                    float g = gradOutput[cell * dim + j];
                    if (layout.Pooling[table] == Pooling.Mean) g /= count;
                    if (layout.Storage[table] == EmbeddingStorage.QuotientRemainder)
                    {
                        var (quotient, remainder) = ReferenceEmbeddingKernels.QuotientRemainderRows(layout, table, ids[i]);
                        grad[quotient + j] += g * weights[remainder + j];
                        grad[remainder + j] += g * weights[quotient + j];
                        continue;
                    }
                    var (slot, sign) = Coordinate(layout, table, ids[i], j);
                    grad[slot] += sign * g;
                }
            }
        }
        return grad;
    }

    /// <summary>One id of one table gathered alone: its embedding (coordinate by coordinate) and block starts (from the
    /// reference's one-sample gather).</summary>
    public static (float[] Embedding, long[] Starts) One(EmbeddingLayout layout, float[] weights, int table, ulong id)
    {
        int tables = layout.TableCount, dim = layout.Dim, records = layout.MaxBlocks;
        var starts = new long[tables * records];
        Single.Gather(layout, weights, TokensWith(layout, table, id), 1, starts, new float[tables * dim]);
        var embedding = new float[dim];
        for (int j = 0; j < dim; j++)
        {
            if (layout.Storage[table] == EmbeddingStorage.QuotientRemainder)
            {
                var (quotient, remainder) = ReferenceEmbeddingKernels.QuotientRemainderRows(layout, table, id);
                embedding[j] = weights[quotient + j] * weights[remainder + j];
                continue;
            }
            var (slot, sign) = Coordinate(layout, table, id, j);
            embedding[j] = sign * weights[slot];
        }
        return (embedding, starts.AsSpan(table * records, records).ToArray());
    }

    /// <summary>The slot of coordinate j (the reference's formula) and the runtime's sign for the Signed variant (the
    /// reference's own sign hash is a stand-in; the generator's sign is SignHash of the key).</summary>
    private static (long Slot, float Sign) Coordinate(EmbeddingLayout layout, int table, ulong id, int j)
    {
        long slot = Single.SlotOf(layout, table, id, j).Slot;
        bool signed = layout.Variant == RobeVariant.Signed && layout.Storage[table] == EmbeddingStorage.Robe;
        return (slot, signed ? SignHash.SignOf(RobeHash.KeyOf(id, layout.Declaration.Tables[table].TokenOffset), j) : 1f);
    }

    /// <summary>A one-sample token row: <paramref name="id"/> at <paramref name="table"/>, 0 (valid for every storage) elsewhere.</summary>
    private static ulong[] TokensWith(EmbeddingLayout layout, int table, ulong id)
    {
        var tokens = new ulong[layout.TableCount];
        tokens[table] = id;
        return tokens;
    }
}
