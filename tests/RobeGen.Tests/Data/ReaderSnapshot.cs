using RobeGen.Data;

namespace RobeGen.Tests.Data;

/// <summary>Copies of every batch a reader produced (batches are only valid until the next MoveNext).</summary>
internal sealed record BatchCopy(float[] Labels, float[] Dense, ulong[] Tokens, DataPosition Start, DataPosition End)
{
    public int Count => Labels.Length;

    public static List<BatchCopy> ReadAll(IReadOnlyList<string> files, CriteoLayout layout, CriteoReaderOptions options)
    {
        using var reader = CriteoReader.Open(files, layout, options);
        var all = new List<BatchCopy>();
        foreach (CriteoBatch b in reader)
            all.Add(new BatchCopy(b.Batch.LabelSpan.ToArray(), b.Batch.DenseSpan.ToArray(), b.Batch.TokenSpan.ToArray(), b.Start, b.End));
        return all;
    }

    public static void AssertSame(IReadOnlyList<BatchCopy> expected, IReadOnlyList<BatchCopy> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Start, actual[i].Start);
            Assert.Equal(expected[i].End, actual[i].End);
            Assert.Equal(expected[i].Labels, actual[i].Labels);
            Assert.Equal(expected[i].Dense, actual[i].Dense);
            Assert.Equal(expected[i].Tokens, actual[i].Tokens);
        }
    }
}
