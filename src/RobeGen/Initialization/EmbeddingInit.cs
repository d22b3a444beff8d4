using System.Runtime.CompilerServices;

namespace RobeGen.Initialization;

/// <summary>One stretch of the flat embedding array drawn with one distribution: value = Center + Half * w, w in [-1, 1).</summary>
/// <param name="Start">Index of the region's first float in the flat embedding array.</param>
/// <param name="Length">Floats in the region.</param>
/// <param name="Center">Middle of the interval (0 for the symmetric U(-b, b) draws).</param>
/// <param name="Half">Half the interval's width.</param>
internal readonly record struct EmbeddingInitRegion(long Start, long Length, float Center, double Half);

/// <summary>
/// The counter-based initialization of the embedding array (docs/model-math.md "Initialization"): element i of the flat
/// array is a pure function of (seed, i), so the CPU draws it chunk by chunk and a GPU kernel draws it in place, in any
/// order, and both get the same bits. The one definition both backends call (ILGPU-compatible: integer arithmetic, one
/// double multiply, one float add; no multiply feeds an add directly, so no fused multiply-add can change a result).
/// </summary>
internal static class EmbeddingInit
{
    /// <summary>SplitMix64's increment (the golden ratio in 64 bits).</summary>
    public const ulong Gamma = SplitMix64.Gamma;

    /// <summary>Tags the embedding's key ("embeddin" in ASCII), so it is not the first output of a stream with the same seed.</summary>
    public const ulong Tag = 0x656D62656464696EUL;

    /// <summary>SplitMix64's finalizer (<see cref="SplitMix64.Mix"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z) => SplitMix64.Mix(z);

    /// <summary>The key of a seed: Mix(seed sign-extended to 64 bits XOR <see cref="Tag"/>).</summary>
    public static ulong Key(int seed) => Mix(unchecked((ulong)(long)seed) ^ Tag);

    /// <summary>The 64 random bits of element <paramref name="index"/>: output index + 1 of a SplitMix64 stream whose state starts at the key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(ulong key, long index) => Mix(key + unchecked((ulong)(index + 1) * Gamma));

    /// <summary>Uniform in [-1, 1) on a grid of 2^-23, from the top 24 bits k: (k - 2^23) * 2^-23 (exact in a double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Signed(ulong key, long index) => ((long)(Bits(key, index) >> 40) - (1L << 23)) * (1.0 / (1 << 23));

    /// <summary>Element <paramref name="index"/>'s value: center + (float)(half * w) (the product rounded to float, then a float add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Draw(ulong key, long index, float center, double half) => center + (float)(half * Signed(key, index));

    /// <summary>
    /// The regions of the flat array in order: the ROBE array [0, m) U(-b, b) with b = sqrt(1 / largest declared
    /// cardinality) (sqrt(1 / m) if none is declared); each Full or Hashed table U(-b_t, b_t), b_t = sqrt(1 / rows_t);
    /// each QuotientRemainder table (quotient then remainder rows) U(sqrt(1 / (Q R)), 1), or U(-c, c) with
    /// c = (Q R)^(-1/4) for <see cref="QuotientRemainderInit.ScaleMatched"/>.
    /// </summary>
    public static IReadOnlyList<EmbeddingInitRegion> Regions(EmbeddingLayout layout)
    {
        var regions = new List<EmbeddingInitRegion>();
        long largest = layout.Declaration.Tables.Length == 0 ? 0 : layout.Declaration.Tables.Max(t => t.Cardinality);
        if (layout.RobeSlots > 0)
            regions.Add(new(0, layout.RobeSlots, 0f, Math.Sqrt(1.0 / (largest > 0 ? largest : layout.RobeSlots))));
        for (int t = 0; t < layout.TableCount; t++)
        {
            if (layout.Storage[t] == EmbeddingStorage.Robe) continue;
            long rows = layout.QuotientRows[t] + layout.Rows[t];
            long length = checked(rows * layout.Dim);
            if (layout.Storage[t] != EmbeddingStorage.QuotientRemainder)
            {
                regions.Add(new(layout.TableBase[t], length, 0f, Math.Sqrt(1.0 / layout.Rows[t])));
                continue;
            }
            double ids = (double)layout.QuotientRows[t] * layout.Rows[t];
            if (layout.QuotientRemainderInit == QuotientRemainderInit.ScaleMatched)
            {
                regions.Add(new(layout.TableBase[t], length, 0f, Math.Pow(ids, -0.25)));
                continue;
            }
            double low = Math.Sqrt(1.0 / ids);
            regions.Add(new(layout.TableBase[t], length, (float)((1 + low) / 2), (1 - low) / 2));
        }
        return regions;
    }

    /// <summary>Draws the flat-array elements [<paramref name="first"/>, first + destination.Length), which lie in <paramref name="region"/>, into <paramref name="destination"/>.</summary>
    public static void Fill(Span<float> destination, ulong key, EmbeddingInitRegion region, long first)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Draw(key, first + i, region.Center, region.Half);
    }
}
