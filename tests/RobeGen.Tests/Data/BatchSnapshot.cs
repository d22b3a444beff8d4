using RobeGen.Data;

namespace RobeGen.Tests.Data;

/// <summary>
/// A copy of a batch's valid rows (batches are only valid until the next MoveNext): labels, dense values, and the ids
/// with, for a multi-hot batch, each cell's bag offsets (empty for a single-hot batch, whose ids are its tokens).
/// </summary>
internal sealed record BatchSnapshot(float[] Labels, float[] Dense, int[] Offsets, ulong[] Ids)
{
    public static BatchSnapshot Of(Batch b) => b.IsMultiHot
        ? new(b.LabelSpan.ToArray(), b.DenseSpan.ToArray(), b.BagOffsets.AsSpan(0, b.Count * b.Tables + 1).ToArray(), b.BagIds.AsSpan(0, b.IdCount).ToArray())
        : new(b.LabelSpan.ToArray(), b.DenseSpan.ToArray(), [], b.TokenSpan.ToArray());

    /// <summary>Every batch of <paramref name="cursor"/> (disposed at the end), each through <paramref name="copy"/> (<see cref="Of"/> by default).</summary>
    public static List<BatchSnapshot> ReadAll(IBatchCursor cursor, Func<Batch, BatchSnapshot>? copy = null)
    {
        var batches = new List<BatchSnapshot>();
        using (cursor)
            while (cursor.MoveNext()) batches.Add((copy ?? Of)(cursor.Current));
        return batches;
    }

    public static void AssertSame(IReadOnlyList<BatchSnapshot> expected, IReadOnlyList<BatchSnapshot> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Labels, actual[i].Labels);
            Assert.Equal(expected[i].Dense, actual[i].Dense);
            Assert.Equal(expected[i].Offsets, actual[i].Offsets);
            Assert.Equal(expected[i].Ids, actual[i].Ids);
        }
    }
}
