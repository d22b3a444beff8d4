namespace RobeGen.Tests.TestModels;

/// <summary>
/// A slow, obvious <see cref="IEmbeddingKernels"/>: every coordinate goes through <see cref="SlotOf"/>, which applies
/// the spec's formula (Robe) or the row rule (Full: row = token; Hashed: row = token mod rows) directly; a
/// QuotientRemainder coordinate is Q[x div R][j] * Rm[x mod R][j] with x = token mod (Q R) in 128-bit arithmetic
/// (<see cref="QuotientRemainderRows"/>), and its gradient the product rule.
/// Stands in for the generated loops until the generator lands, and stays as their independent reference.
/// </summary>
internal sealed class ReferenceEmbeddingKernels : IEmbeddingKernels
{
    public void Gather(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, int batch,
        Span<long> blockStarts, Span<float> output)
    {
        int tables = layout.TableCount, dim = layout.Dim, maxBlocks = layout.MaxBlocks;
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < tables; t++)
            {
                ulong token = tokens[b * tables + t];
                if (layout.Storage[t] == EmbeddingStorage.QuotientRemainder)
                {
                    var (quotient, remainder) = QuotientRemainderRows(layout, t, token);
                    for (int j = 0; j < dim; j++)
                        output[(b * tables + t) * dim + j] = weights[(int)(quotient + j)] * weights[(int)(remainder + j)];
                    blockStarts[(b * tables + t) * maxBlocks] = quotient;
                    blockStarts[(b * tables + t) * maxBlocks + 1] = remainder;
                    continue;
                }
                for (int j = 0; j < dim; j++)
                {
                    (long slot, float sign) = SlotOf(layout, t, token, j);
                    output[(b * tables + t) * dim + j] = sign * weights[(int)slot];
                }
                Span<long> starts = blockStarts.Slice((b * tables + t) * maxBlocks, maxBlocks);
                if (layout.Storage[t] == EmbeddingStorage.Robe)
                    for (int c = 0; c < layout.RobeBlocks; c++) starts[c] = SlotOf(layout, t, token, c * layout.BlockSize).Slot;
                else
                    starts[0] = SlotOf(layout, t, token, 0).Slot;
            }
    }

    public void ScatterGradient(EmbeddingLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<ulong> tokens, ReadOnlySpan<long> blockStarts, int batch,
        ReadOnlySpan<float> gradOutput, Span<float> gradWeights)
    {
        int tables = layout.TableCount, dim = layout.Dim;
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < tables; t++)
                for (int j = 0; j < dim; j++)
                {
                    if (layout.Storage[t] == EmbeddingStorage.QuotientRemainder)
                    {
                        var (quotient, remainder) = QuotientRemainderRows(layout, t, tokens[b * tables + t]);
                        float g = gradOutput[(b * tables + t) * dim + j];
                        float q = weights[(int)(quotient + j)], r = weights[(int)(remainder + j)];
                        gradWeights[(int)(quotient + j)] += g * r;
                        gradWeights[(int)(remainder + j)] += g * q;
                        continue;
                    }
                    (long slot, float sign) = SlotOf(layout, t, tokens[b * tables + t], j);
                    gradWeights[(int)slot] += sign * gradOutput[(b * tables + t) * dim + j];
                }
    }

    /// <summary>Starts of the quotient and remainder rows of a QuotientRemainder token, straight from the definition:
    /// x = token mod (Q R) (formed in 128 bits), quotient row x div R at the table base, remainder row x mod R after the Q rows.</summary>
    public static (long Quotient, long Remainder) QuotientRemainderRows(EmbeddingLayout layout, int table, ulong token)
    {
        long q = layout.QuotientRows[table], r = layout.Rows[table];
        UInt128 x = (UInt128)token % ((UInt128)(ulong)q * (ulong)r);
        long quotientRow = (long)(x / (ulong)r), remainderRow = (long)(x % (ulong)r);
        return (layout.TableBase[table] + quotientRow * layout.Dim, layout.TableBase[table] + (q + remainderRow) * layout.Dim);
    }

    public (long Slot, float Sign) SlotOf(EmbeddingLayout layout, int table, ulong token, int j)
    {
        switch (layout.Storage[table])
        {
            case EmbeddingStorage.QuotientRemainder:
                throw new NotSupportedException("A QuotientRemainder coordinate reads two slots.");
            case EmbeddingStorage.Full:
                if (token >= (ulong)layout.Rows[table])
                    throw new ArgumentOutOfRangeException(nameof(token), token, $"Table {table} has {layout.Rows[table]} rows.");
                return (layout.TableBase[table] + (long)token * layout.Dim + j, 1f);
            case EmbeddingStorage.Hashed:
                return (layout.TableBase[table] + (long)(token % (ulong)layout.Rows[table]) * layout.Dim + j, 1f);
            default:
                ulong xg = unchecked(token + layout.Declaration.Tables[table].TokenOffset);
                long slot = ReferenceRobe.Slot(xg, j, layout.RobeSlots, layout.BlockSize, layout.Variant);
                float sign = layout.Variant == RobeVariant.Signed ? ReferenceRobe.Sign(xg, j) : 1f;
                return (slot, sign);
        }
    }
}
