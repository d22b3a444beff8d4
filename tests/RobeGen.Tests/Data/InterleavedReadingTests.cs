using RobeGen.Data;

namespace RobeGen.Tests.Data;

/// <summary>
/// Several files read at once (CriteoReaderOptions.InterleaveFiles): the batches go round the lanes (lane k: files k,
/// k + n, ...) one from each, as a slow obvious reference builds them from the files' lines; every saved position
/// resumes with exactly the batches that followed it; the order never depends on threads.
/// </summary>
public sealed class InterleavedReadingTests
{
    private static readonly string[] Names = ["a.gz", "b.gz", "c.tsv", "d.gz", "e.gz"];
    // Unequal files: lanes end at different batches, one file is shorter than a batch, one is empty.
    private static readonly int[] RowsPerFile = [2_500, 1_000, 4_100, 30, 0];
    private const int BatchSize = 700;

    /// <summary>The reference: each lane's rows in its files' order, then batches round the lanes, ended lanes skipped.</summary>
    private static List<long[]> Reference(int[] rowsPerFile, int lanes, int batchSize, int startFile = 0, DataPosition? end = null)
    {
        long first = 0;
        var laneRows = Enumerable.Range(0, lanes).Select(_ => new List<long>()).ToArray();
        for (int f = 0; f < rowsPerFile.Length; f++)
        {
            long take = end is { } e ? (f < e.FileIndex ? rowsPerFile[f] : f == e.FileIndex ? Math.Min(e.Line, rowsPerFile[f]) : 0) : rowsPerFile[f];
            if (f >= startFile)
                for (long r = 0; r < take; r++) laneRows[(f - startFile) % lanes].Add(first + r);
            first += rowsPerFile[f];
        }
        var batches = new List<long[]>();
        var taken = new int[lanes];
        for (int lane = 0; taken.Select((t, k) => t < laneRows[k].Count).Any(left => left); lane = (lane + 1) % lanes)
        {
            if (taken[lane] == laneRows[lane].Count) continue;
            int n = Math.Min(batchSize, laneRows[lane].Count - taken[lane]);
            batches.Add(laneRows[lane].GetRange(taken[lane], n).ToArray());
            taken[lane] += n;
        }
        return batches;
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 3)]
    [InlineData(7, 2)] // more lanes than files: the lanes without a file give nothing
    public void Batches_go_round_the_files_as_the_reference_orders_them(int lanes, int parserThreads)
    {
        using var temp = new TempFolder();
        string[] files = CriteoTestFiles.Write(temp, RowsPerFile, Names);
        var options = new CriteoReaderOptions { BatchSize = BatchSize, ParserThreads = parserThreads, InterleaveFiles = lanes };
        List<BatchCopy> batches = BatchCopy.ReadAll(files, CriteoLayout.Labeled, options);
        List<long[]> expected = Reference(RowsPerFile, lanes, BatchSize);
        Assert.Equal(expected.Count, batches.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], CriteoTestFiles.Rows(batches[i]));
        Assert.All(batches, b => Assert.NotNull(b.End.Interleaved));
    }

    [Fact]
    public void Every_saved_position_resumes_with_exactly_the_batches_that_followed_it()
    {
        using var temp = new TempFolder();
        string[] files = CriteoTestFiles.Write(temp, RowsPerFile, Names);
        var options = new CriteoReaderOptions { BatchSize = BatchSize, ParserThreads = 2, InterleaveFiles = 3 };
        List<BatchCopy> all = BatchCopy.ReadAll(files, CriteoLayout.Labeled, options);
        for (int i = 0; i < all.Count; i++)
        {
            if (i > 0) Assert.Equal(all[i - 1].End, all[i].Start);
            // A resumed reader takes its lanes from the position, whatever the options say now.
            List<BatchCopy> rest = BatchCopy.ReadAll(files, CriteoLayout.Labeled, options with { Start = all[i].End, InterleaveFiles = 1 });
            BatchCopy.AssertSame(all.Skip(i + 1).ToList(), rest);
        }
    }

    [Fact]
    public void An_end_position_cuts_the_lane_that_holds_it_and_leaves_out_the_files_after_it()
    {
        using var temp = new TempFolder();
        string[] files = CriteoTestFiles.Write(temp, RowsPerFile, Names);
        var end = new DataPosition(2, 1_234);
        var options = new CriteoReaderOptions { BatchSize = BatchSize, InterleaveFiles = 2, End = end };
        List<long[]> expected = Reference(RowsPerFile, 2, BatchSize, end: end);
        Assert.Equal(expected, BatchCopy.ReadAll(files, CriteoLayout.Labeled, options).Select(CriteoTestFiles.Rows));
        Assert.Equal(2_500 + 1_000 + 1_234, expected.Sum(b => b.Length));
    }

    [Fact]
    public void A_start_position_in_order_begins_lane_zero_there_and_the_other_lanes_at_the_files_after_it()
    {
        using var temp = new TempFolder();
        string[] files = CriteoTestFiles.Write(temp, RowsPerFile, Names);
        var options = new CriteoReaderOptions { BatchSize = BatchSize, InterleaveFiles = 2, Start = new DataPosition(1, 0) };
        Assert.Equal(Reference(RowsPerFile, 2, BatchSize, startFile: 1), BatchCopy.ReadAll(files, CriteoLayout.Labeled, options).Select(CriteoTestFiles.Rows));
    }

    [Fact]
    public void Training_data_interleaves_a_pass_from_the_start_and_continues_an_in_order_position_in_order()
    {
        using var temp = new TempFolder();
        string[] files = CriteoTestFiles.Write(temp, RowsPerFile, Names);
        var data = new CriteoTrainingData(files, CriteoLayout.Labeled, new CriteoReaderOptions { InterleaveFiles = 2 });
        long[] FirstBatch(DataPosition start)
        {
            using IBatchCursor cursor = data.Open(start, BatchSize);
            Assert.True(cursor.MoveNext());
            return Enumerable.Range(0, cursor.Current.Count).Select(r => CriteoTestFiles.RowOf(cursor.Current.TokenSpan[r * 26])).ToArray();
        }
        Assert.Equal(Reference(RowsPerFile, 2, BatchSize)[0], FirstBatch(DataPosition.Start));
        // An old (in-order) checkpoint's position, mid-file: the rest of that epoch is read as it was begun.
        Assert.Equal(Enumerable.Range(2_400, 100).Select(r => (long)r).Concat(Enumerable.Range(2_500, 600).Select(r => (long)r)), FirstBatch(new DataPosition(0, 2_400)));
    }

    [Fact]
    public void A_damaged_gzip_in_a_lane_stops_the_read_naming_the_file()
    {
        using var temp = new TempFolder();
        string[] files = CriteoTestFiles.Write(temp, 20_000, "a.gz", "b.gz", "c.gz");
        byte[] b = File.ReadAllBytes(files[1]);
        File.WriteAllBytes(files[1], b[..(b.Length / 2)]);
        using var reader = CriteoReader.Open(files, CriteoLayout.Labeled, new CriteoReaderOptions { BatchSize = 1000, InterleaveFiles = 3 });
        var error = Assert.Throws<DataFormatException>(() => { while (reader.MoveNext()) { } });
        Assert.Contains("b.gz", error.Message);
    }

    [Fact]
    public void Automatic_interleaving_reads_two_or_more_gzip_files_at_once_and_plain_files_in_order()
    {
        using var temp = new TempFolder();
        string[] files = CriteoTestFiles.Write(temp, 10, "a.gz", "b.gz", "c.gz", "d.tsv");
        Assert.Equal(1, CriteoReaderOptions.AutomaticInterleave(files[..1]));
        Assert.Equal(1, CriteoReaderOptions.AutomaticInterleave(files));
        Assert.Equal(1, CriteoReaderOptions.AutomaticInterleave(files[3..]));
        Assert.Equal(Math.Min(3, Math.Max(2, Environment.ProcessorCount / 2)), CriteoReaderOptions.AutomaticInterleave(files[..3]));
    }

    [Fact]
    public void Interleaved_positions_compare_by_value_and_name_every_lane()
    {
        var a = new InterleavedPosition([new DataPosition(0, 10), new DataPosition(1, 0)], 1);
        var b = new InterleavedPosition([new DataPosition(0, 10), new DataPosition(1, 0)], 1);
        Assert.Equal(a.AsDataPosition(), b.AsDataPosition());
        Assert.NotEqual(a.AsDataPosition(), new InterleavedPosition([new DataPosition(0, 10), new DataPosition(1, 0)], 0).AsDataPosition());
        Assert.NotEqual(new DataPosition(1, 0), a.AsDataPosition());
        Assert.Equal(new DataPosition(1, 0), a.AsDataPosition() with { Interleaved = null });
        Assert.Equal("files read at once: file 0, line 10; file 1, line 0 (next)", a.AsDataPosition().ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new InterleavedPosition([new DataPosition(0, 0)], 0));
    }
}
