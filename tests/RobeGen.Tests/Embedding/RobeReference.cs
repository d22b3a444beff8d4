using System.Numerics;

namespace RobeGen.Tests.Embedding;

/// <summary>
/// The slow, obvious ROBE-Z of shared/robe-spec.md, written from the spec with arbitrary-precision integers and
/// one coordinate at a time. The generated code is checked against it; nothing in src/ uses it.
/// </summary>
internal static class RobeReference
{
    private static readonly BigInteger P = 2038074743;
    private static readonly BigInteger R1 = 634329019;
    private static readonly BigInteger R2 = 1825252241;
    private static readonly BigInteger R3 = 871205356;

    /// <summary>The Signed variant's sign-hash multipliers, derived as the generator documents: the first three
    /// SplitMix64 outputs for seed 0x5349474E ("SIGN"), each mod P.</summary>
    public static readonly (BigInteger S1, BigInteger S2, BigInteger S3) SignConstants = DeriveSignConstants();

    public static ulong GlobalRowId(EmbeddingTable table, ulong token) => unchecked(token + table.TokenOffset);

    /// <summary>h(xg, c) = (xg * R3 + c * R2 + R1) mod P, exactly.</summary>
    public static BigInteger Hash(ulong xg, int block) => (xg * R3 + block * R2 + R1) % P;

    public static float Sign(ulong xg, int j)
    {
        var (s1, s2, s3) = SignConstants;
        return ((xg * s3 + j * s2 + s1) % P).IsEven ? 1f : -1f;
    }

    /// <summary>Slot and sign of coordinate j of a token, for any storage and variant.</summary>
    public static (long Slot, float Sign) Slot(EmbeddingLayout layout, int table, ulong token, int j)
    {
        int d = layout.Dim;
        switch (layout.Storage[table])
        {
            case EmbeddingStorage.Full:
                if (token >= (ulong)layout.Rows[table]) throw new ArgumentOutOfRangeException(nameof(token));
                return (layout.TableBase[table] + (long)token * d + j, 1f);
            case EmbeddingStorage.Hashed:
                return (layout.TableBase[table] + (long)(token % (ulong)layout.Rows[table]) * d + j, 1f);
        }
        ulong xg = GlobalRowId(layout.Declaration.Tables[table], token);
        long m = layout.RobeSlots;
        int z = layout.BlockSize;
        BigInteger h = Hash(xg, j / z);
        return layout.Variant switch
        {
            RobeVariant.Authors => ((long)(h % (m - z + 1)) + j % z, 1f),
            RobeVariant.Circular => ((long)((h % m + j % z) % m), 1f),
            RobeVariant.Signed => ((long)(h % (m - z + 1)) + j % z, Sign(xg, j)),
            _ => throw new ArgumentOutOfRangeException(nameof(layout)),
        };
    }

    /// <summary>E[sample, table, j] = sign * W[slot].</summary>
    public static float[] Gather(EmbeddingLayout layout, float[] weights, ulong[] tokens, int batch)
    {
        int tables = layout.TableCount, d = layout.Dim;
        var output = new float[batch * tables * d];
        for (int s = 0; s < batch; s++)
            for (int t = 0; t < tables; t++)
                for (int j = 0; j < d; j++)
                {
                    var (slot, sign) = Slot(layout, t, tokens[s * tables + t], j);
                    output[(s * tables + t) * d + j] = sign * weights[slot];
                }
        return output;
    }

    /// <summary>dW[slot] += sign * dE[sample, table, j], in sample, table, coordinate order.</summary>
    public static float[] Scatter(EmbeddingLayout layout, ulong[] tokens, int batch, float[] gradOutput)
    {
        int tables = layout.TableCount, d = layout.Dim;
        var grad = new float[layout.TotalParameters];
        for (int s = 0; s < batch; s++)
            for (int t = 0; t < tables; t++)
                for (int j = 0; j < d; j++)
                {
                    var (slot, sign) = Slot(layout, t, tokens[s * tables + t], j);
                    grad[slot] += sign * gradOutput[(s * tables + t) * d + j];
                }
        return grad;
    }

    private static (BigInteger, BigInteger, BigInteger) DeriveSignConstants()
    {
        ulong state = 0x5349474E;
        ulong Next()
        {
            unchecked
            {
                state += 0x9E3779B97F4A7C15UL;
                ulong z = state;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }
        BigInteger s1 = Next() % P, s2 = Next() % P, s3 = Next() % P;
        return (s1, s2, s3);
    }
}
