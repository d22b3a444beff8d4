namespace RobeGen.Metrics;

/// <summary>
/// Sorts unsigned 32-bit keys by LSD radix, 11 bits a pass (2,048 buckets: the counts stay in L1), skipping a pass
/// whose digit is the same in every key. Linear in the keys: exact AUC over tens of millions of predictions sorts in
/// well under a second where a comparison sort of (score, label) pairs took seconds.
/// </summary>
internal static class RadixSort
{
    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;
    private const int Passes = (32 + DigitBits - 1) / DigitBits;

    /// <summary>Sorts <paramref name="keys"/> ascending, using <paramref name="scratch"/> (at least as long) as the second buffer.</summary>
    public static void Sort(Span<uint> keys, Span<uint> scratch)
    {
        if (scratch.Length < keys.Length) throw new ArgumentException("The scratch buffer is shorter than the keys.", nameof(scratch));
        scratch = scratch[..keys.Length];
        // Every pass's counts in one read of the keys.
        var counts = new int[Passes * Buckets];
        foreach (uint key in keys)
            for (int p = 0; p < Passes; p++) counts[p * Buckets + (int)((key >> (p * DigitBits)) & (Buckets - 1))]++;
        Span<uint> from = keys, to = scratch;
        for (int p = 0; p < Passes; p++)
        {
            Span<int> count = counts.AsSpan(p * Buckets, Buckets);
            if (count.Contains(keys.Length)) continue; // one digit everywhere: this pass would move nothing
            int offset = 0;
            for (int b = 0; b < Buckets; b++) (count[b], offset) = (offset, offset + count[b]);
            int shift = p * DigitBits;
            foreach (uint key in from) to[count[(int)((key >> shift) & (Buckets - 1))]++] = key;
            Span<uint> swap = from;
            from = to;
            to = swap;
        }
        if (from != keys) from.CopyTo(keys);
    }
}
