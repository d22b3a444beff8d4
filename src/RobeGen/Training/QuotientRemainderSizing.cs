namespace RobeGen.Training;

/// <summary>The two table sizes of one QuotientRemainder table: Q quotient rows and R remainder rows (Q * R &gt;= its ids).</summary>
internal readonly record struct QuotientRemainderSplit(long QuotientRows, long RemainderRows)
{
    /// <summary>d-wide rows the table holds: Q + R.</summary>
    public long Rows => QuotientRows + RemainderRows;
}

/// <summary>
/// Chooses R (and Q = ceil(n / R)) for QuotientRemainder tables at a compression ratio. A table of n ids holds
/// ceil(n / R) + R rows, at least about 2 sqrt(n) (at R near sqrt(n)): below that no QR exists, so a ratio asking for
/// less is not reachable and gets the smallest QR (its real bytes are what the sweep reports).
/// </summary>
internal static class QuotientRemainderSizing
{
    /// <summary>The QR of <paramref name="ids"/> ids with the fewest rows (the smallest R among ties).</summary>
    public static QuotientRemainderSplit Smallest(long ids)
    {
        if (ids < 1) throw new ArgumentOutOfRangeException(nameof(ids), ids, "A QuotientRemainder table needs at least one id.");
        long root = (long)Math.Sqrt(ids);
        QuotientRemainderSplit best = Of(ids, 1);
        for (long r = Math.Max(1, root - 2); r <= Math.Min(ids, root + 2); r++)
            if (Of(ids, r).Rows < best.Rows) best = Of(ids, r);
        return best;
    }

    /// <summary>
    /// The QR of <paramref name="ids"/> ids with the smallest R whose Q + R fits <paramref name="rows"/>: each quotient
    /// row is shared by only R ids (R = 1 when the budget holds n + 1 rows: every id its own quotient row, as the
    /// reference's "num_collisions" = R). The smallest QR when nothing fits.
    /// </summary>
    public static QuotientRemainderSplit Within(long ids, long rows)
    {
        QuotientRemainderSplit smallest = Smallest(ids);
        if (rows <= smallest.Rows) return smallest;
        // ceil(n / R) + R does not grow while R stays below sqrt(n), so the first R that fits is the smallest.
        for (long r = 1; r < smallest.RemainderRows; r++)
            if (Of(ids, r).Rows <= rows) return Of(ids, r);
        return smallest;
    }

    /// <summary>
    /// Per-table splits that spend about sum(<paramref name="fullRows"/>) / <paramref name="ratio"/> rows in all, as the
    /// capped hashing trick does: tables from the smallest up take an equal share of what is left (a small table's share
    /// often holds all its ids), never less than their smallest QR, and never so much that a later table could not have
    /// its smallest QR. When even the smallest QRs exceed the budget, every table gets its smallest.
    /// </summary>
    public static QuotientRemainderSplit[] ForCompression(IReadOnlyList<long> fullRows, double ratio)
    {
        ArgumentNullException.ThrowIfNull(fullRows);
        if (!(ratio >= 1)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "A compression ratio below 1 would grow the tables.");
        if (fullRows.Any(n => n < 1)) throw new ArgumentException("QuotientRemainder sizing needs every table's cardinality.", nameof(fullRows));
        QuotientRemainderSplit[] smallest = fullRows.Select(Smallest).ToArray();
        double left = fullRows.Sum() / ratio;
        double reservedForLater = smallest.Sum(s => (double)s.Rows);
        int[] order = Enumerable.Range(0, fullRows.Count).OrderBy(t => fullRows[t]).ToArray();
        var splits = new QuotientRemainderSplit[fullRows.Count];
        for (int i = 0; i < order.Length; i++)
        {
            int t = order[i];
            reservedForLater -= smallest[t].Rows;
            double share = Math.Min(left / (order.Length - i), left - reservedForLater);
            splits[t] = Within(fullRows[t], (long)Math.Floor(Math.Max(share, 0)));
            left -= splits[t].Rows;
        }
        return splits;
    }

    private static QuotientRemainderSplit Of(long ids, long remainderRows) => new((ids + remainderRows - 1) / remainderRows, remainderRows);
}
