using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ParquetSharp;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Models;

namespace RobeGen.Benchmarks;

/// <summary>
/// Rows/s of reading multi-hot (list) columns beside single-hot ones: Criteo-shaped rows (label, I1..I13, C1..C26, ids
/// as 8 hex digits) as CSV with a header and as Parquet (int64 ids, the lists as LIST of int64), read into the batches
/// of CriteoKaggle's declaration, once as it is (26 single-hot tables) and once with C1..C<c>--multi</c> multi-hot
/// (sum-pooled, <c>--hotness</c> ids a cell, so a CSV cell is ids separated by '|').
/// </summary>
internal static class MultiHotBenchmark
{
    public static int Run(string[] args)
    {
        int rows = int.Parse(ParseBenchmark.Option(args, "--rows") ?? "100000", CultureInfo.InvariantCulture);
        int multi = int.Parse(ParseBenchmark.Option(args, "--multi") ?? "3", CultureInfo.InvariantCulture);
        int hotness = int.Parse(ParseBenchmark.Option(args, "--hotness") ?? "10", CultureInfo.InvariantCulture);
        int batch = int.Parse(ParseBenchmark.Option(args, "--batch") ?? "2048", CultureInfo.InvariantCulture);
        ModelDeclaration single = CriteoKaggle.Declaration;
        ModelDeclaration multiHot = WithMultiHot(single, multi, hotness);
        string folder = Directory.CreateTempSubdirectory("robegen-multihot-").FullName;
        try
        {
            var files = new List<(string What, ModelDeclaration Declaration, string Path)>();
            foreach ((string name, int lists) in new[] { ("single-hot", 0), ($"{multi} of 26 multi-hot ({hotness} ids)", multi) })
            {
                ModelDeclaration declaration = lists == 0 ? single : multiHot;
                string csv = Path.Combine(folder, $"rows{lists}.csv"), parquet = Path.Combine(folder, $"rows{lists}.parquet");
                WriteCsv(csv, rows, lists, hotness);
                WriteParquet(parquet, rows, lists, hotness);
                files.Add(($"CSV, {name}", declaration, csv));
                files.Add(($"Parquet, {name}", declaration, parquet));
            }
            Console.WriteLine($"Multi-hot read benchmark: {rows:N0} Criteo-shaped rows, batch {batch}, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}");
            Console.WriteLine($"{"input",-44} {"MB",8} {"rows/s",12} {"ids/s",14}");
            foreach ((string what, ModelDeclaration declaration, string path) in files)
            {
                var data = TabularData.Open(declaration, path);
                Read(data, batch, out _); // warm-up: JIT, page cache
                double best = double.MaxValue;
                long ids = 0;
                for (int round = 0; round < 3; round++) best = Math.Min(best, Read(data, batch, out ids));
                Console.WriteLine(FormattableString.Invariant($"{what,-44} {new FileInfo(path).Length / 1e6,8:F1} {rows / best,12:N0} {ids / best,14:N0}"));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    /// <summary>CriteoKaggle with its first <paramref name="multi"/> tables sum-pooled lists.</summary>
    internal static ModelDeclaration WithMultiHot(ModelDeclaration d, int multi, int hotness)
    {
        ImmutableArray<EmbeddingTable> tables = d.Tables.Select(t => t.Index < multi ? t with { Pooling = Pooling.Sum, Hotness = hotness } : t).ToImmutableArray();
        return new ModelDeclaration(d.Name + ".MultiHot", d.DenseFeatures, d.EmbeddingDim, d.BottomMlp, d.TopMlp, d.Tokens, d.RobeSlots, d.BlockSize, d.Variant,
            tables, d.Fingerprint + "-multihot", d.Interaction, d.CrossLayers, d.CrossRank);
    }

    /// <summary>Seconds to read every batch; <paramref name="ids"/> counts the ids of the bags (or one a cell when single-hot).</summary>
    private static double Read(TabularData data, int batch, out long ids)
    {
        var clock = Stopwatch.StartNew();
        ids = 0;
        using IBatchCursor cursor = data.Open(DataPosition.Start, batch);
        while (cursor.MoveNext()) ids += cursor.Current.IsMultiHot ? cursor.Current.IdCount : (long)cursor.Current.Count * cursor.Current.Tables;
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>A list's length: 0 .. 2 * hotness, mean hotness.</summary>
    private static int ListLength(Random random, int hotness) => random.Next(2 * hotness + 1);

    private static void WriteCsv(string path, int rows, int lists, int hotness)
    {
        var random = new Random(1);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write("label");
        for (int i = 1; i <= 13; i++) writer.Write($",I{i}");
        for (int i = 1; i <= 26; i++) writer.Write($",C{i}");
        writer.Write('\n');
        var line = new StringBuilder();
        for (int r = 0; r < rows; r++)
        {
            line.Clear().Append(random.Next(2));
            for (int i = 0; i < 13; i++) line.Append(',').Append(random.Next(1000));
            for (int c = 0; c < 26; c++)
            {
                line.Append(',');
                int count = c < lists ? ListLength(random, hotness) : 1;
                for (int k = 0; k < count; k++)
                {
                    if (k > 0) line.Append('|');
                    line.Append(((uint)random.Next()).ToString("x8", CultureInfo.InvariantCulture));
                }
            }
            writer.Write(line.Append('\n'));
        }
    }

    private static void WriteParquet(string path, int rows, int lists, int hotness)
    {
        var random = new Random(1);
        var columns = new List<Column> { new Column<int>("label") };
        for (int i = 1; i <= 13; i++) columns.Add(new Column<long>($"I{i}"));
        for (int i = 1; i <= 26; i++) columns.Add(i <= lists ? new Column<long[]>($"C{i}") : new Column<long>($"C{i}"));
        const int GroupRows = 1 << 16;
        using var writer = new ParquetFileWriter(path, columns.ToArray(), Compression.Snappy);
        for (int first = 0; first < rows; first += GroupRows)
        {
            int n = Math.Min(GroupRows, rows - first);
            var labels = new int[n];
            var dense = Enumerable.Range(0, 13).Select(_ => new long[n]).ToArray();
            var ids = Enumerable.Range(0, 26).Select(_ => new long[n]).ToArray();
            var bags = Enumerable.Range(0, lists).Select(_ => new long[n][]).ToArray();
            for (int r = 0; r < n; r++)
            {
                labels[r] = random.Next(2);
                for (int i = 0; i < 13; i++) dense[i][r] = random.Next(1000);
                for (int c = 0; c < 26; c++)
                {
                    if (c < lists) bags[c][r] = Enumerable.Range(0, ListLength(random, hotness)).Select(_ => (long)(uint)random.Next()).ToArray();
                    else ids[c][r] = (uint)random.Next();
                }
            }
            using RowGroupWriter group = writer.AppendRowGroup();
            using (var c = group.NextColumn().LogicalWriter<int>()) c.WriteBatch(labels);
            foreach (long[] values in dense) using (var c = group.NextColumn().LogicalWriter<long>()) c.WriteBatch(values);
            for (int i = 0; i < 26; i++)
            {
                if (i < lists) using (var c = group.NextColumn().LogicalWriter<long[]>()) c.WriteBatch(bags[i]);
                else using (var c = group.NextColumn().LogicalWriter<long>()) c.WriteBatch(ids[i]);
            }
        }
        writer.Close();
    }
}
