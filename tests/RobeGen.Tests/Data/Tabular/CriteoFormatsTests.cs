using System.IO.Compression;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Models;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Data.Tabular;

/// <summary>
/// Real Criteo rows three ways: the TSV reader (itself checked against a reference parser), the same file converted
/// to Parquet by <see cref="CriteoParquetConverter"/>, and the same rows as CSV with a header: every batch is identical.
/// </summary>
public sealed class CriteoFormatsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static List<(float[] Labels, float[] Dense, ulong[] Tokens)> Batches(ITrainingData data, int batchSize = 1000)
    {
        var batches = new List<(float[], float[], ulong[])>();
        using IBatchCursor cursor = data.Open(DataPosition.Start, batchSize);
        while (cursor.MoveNext())
            batches.Add((cursor.Current.LabelSpan.ToArray(), cursor.Current.DenseSpan.ToArray(), cursor.Current.TokenSpan.ToArray()));
        return batches;
    }

    private static void AssertSame(List<(float[] Labels, float[] Dense, ulong[] Tokens)> expected, List<(float[] Labels, float[] Dense, ulong[] Tokens)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int b = 0; b < expected.Count; b++)
        {
            Assert.Equal(expected[b].Labels, actual[b].Labels);
            Assert.Equal(expected[b].Dense, actual[b].Dense);
            Assert.Equal(expected[b].Tokens, actual[b].Tokens);
        }
    }

    /// <summary>The TSV's lines as comma-separated text under a header of the layout's names.</summary>
    private string AsCsv(string tsv)
    {
        string path = _temp.File("criteo.csv");
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(",", Enumerable.Range(0, 40).Select(f => CriteoSchema.FieldName(CriteoLayout.Labeled, f))));
        using var reader = new StreamReader(new GZipStream(File.OpenRead(tsv), CompressionMode.Decompress));
        string? line;
        while ((line = reader.ReadLine()) is not null) writer.WriteLine(line.Replace('\t', ','));
        return path;
    }

    [SharedDataTheory]
    [InlineData(SharedData.KaggleHead)]
    [InlineData(SharedData.Day0Head)]
    public void Parquet_and_csv_give_the_tsv_batches(string file)
    {
        string tsv = SharedData.PathOf(file);
        string parquet = _temp.File("criteo.parquet");
        Assert.Equal(10_000, CriteoParquetConverter.Convert([tsv], parquet, rowGroupRows: 3000));
        foreach (ModelDeclaration model in new[] { CriteoKaggle.Declaration, GoldenZ1.Declaration })
        {
            var expected = Batches(new CriteoTrainingData([tsv]).ForModel(model));
            AssertSame(expected, Batches(TabularData.Open(model, parquet)));
            AssertSame(expected, Batches(TabularData.Open(model, AsCsv(tsv))));
        }
    }

    [Fact]
    public void A_bad_tsv_line_stops_the_conversion_naming_the_line_and_field()
    {
        string tsv = _temp.File("bad.tsv");
        string good = "1\t" + string.Join("\t", Enumerable.Repeat("3", 13)) + "\t" + string.Join("\t", Enumerable.Repeat("68fd1e64", 26));
        File.WriteAllLines(tsv, [good, good.Replace("\t68fd1e64\t", "\tzz\t")]);
        var e = Assert.Throws<DataFormatException>(() => CriteoParquetConverter.Convert([tsv], _temp.File("out.parquet")));
        Assert.Equal((2L, "C1", 15), (e.Line, e.Field, e.Column));
        Assert.False(File.Exists(_temp.File("out.parquet")));
    }

    public void Dispose() => _temp.Dispose();
}
