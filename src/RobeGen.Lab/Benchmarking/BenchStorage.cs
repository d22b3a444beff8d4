using RobeGen.Backends;

namespace RobeGen.Lab.Benchmarking;

/// <summary>One embedding storage the bench compares: a name, the layout overrides and the token range per table.</summary>
/// <param name="Name">As printed: "ROBE Z=32", "Full", "Full (rows capped at 2,590,000)".</param>
/// <param name="Overrides">Applied to the declaration's layout.</param>
/// <param name="Vocabulary">Tokens of table t are drawn uniformly from [0, Vocabulary[t]).</param>
/// <param name="RowCap">The per-table row cap of a Full storage that did not fit; null when nothing was capped.</param>
internal sealed record BenchStorage(string Name, EmbeddingOverrides Overrides, IReadOnlyList<long> Vocabulary, long? RowCap = null)
{
    /// <summary>The declared ROBE array (its m) read in blocks of <paramref name="blockSize"/> (at most the embedding dim).</summary>
    public static BenchStorage Robe(ModelDeclaration declaration, int blockSize)
    {
        int z = Math.Min(blockSize, declaration.EmbeddingDim);
        return new BenchStorage($"ROBE Z={z}", new EmbeddingOverrides { Storage = EmbeddingStorage.Robe, BlockSize = z },
            declaration.Tables.Select(t => t.Cardinality).ToArray());
    }

    /// <summary>
    /// Full tables of the declared cardinalities, or, when they hold more than <paramref name="maxFloats"/> floats,
    /// every table capped at the largest row count that fits (tokens are then drawn below the cap). With
    /// <paramref name="indexRow"/> every table has one row more: row 0, which synthetic rows given as vocabulary indices
    /// (rank + 1) leave for ids never counted, as train does.
    /// </summary>
    public static BenchStorage Full(ModelDeclaration declaration, long maxFloats, bool indexRow = false)
    {
        long[] cardinalities = declaration.Tables.Select(t => t.Cardinality + (indexRow ? 1 : 0)).ToArray();
        long cap = LargestRowCap(cardinalities, declaration.EmbeddingDim, maxFloats);
        bool capped = cap < cardinalities.Max();
        long[] rows = cardinalities.Select(c => Math.Min(c, cap)).ToArray();
        string name = capped ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Full (rows <= {cap:N0})") : "Full";
        return new BenchStorage(name, new EmbeddingOverrides { Storage = EmbeddingStorage.Full, Rows = rows }, rows, capped ? cap : null);
    }

    /// <summary>The largest C with sum over tables of min(cardinality, C) * dim &lt;= maxFloats (binary search).</summary>
    public static long LargestRowCap(IReadOnlyList<long> cardinalities, int dim, long maxFloats)
    {
        long Floats(long cap) => cardinalities.Sum(c => Math.Min(c, cap)) * dim;
        long low = 1, high = cardinalities.Max();
        if (Floats(high) <= maxFloats) return high;
        while (low < high)
        {
            long mid = low + (high - low + 1) / 2;
            if (Floats(mid) <= maxFloats) low = mid; else high = mid - 1;
        }
        return low;
    }
}
