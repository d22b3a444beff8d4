using System.IO.Compression;
using RobeGen.Data;

namespace RobeGen.Tests.Data;

/// <summary>The streaming reader against the slow reference parser on the real Criteo samples.</summary>
public class CriteoReaderRealDataTests
{
    [SharedDataTheory]
    [InlineData(SharedData.Day0Head, CriteoLayout.Labeled)]
    [InlineData(SharedData.KaggleHead, CriteoLayout.Labeled)]
    [InlineData(SharedData.KaggleSample, CriteoLayout.Labeled)]
    [InlineData(SharedData.KaggleTest, CriteoLayout.Unlabeled)]
    public void Every_row_matches_the_reference_parser(string name, CriteoLayout layout)
    {
        string path = SharedData.PathOf(name);
        List<string> lines = ReferenceCriteoParser.ReadLines(path);
        const int batchSize = 777; // not a divisor of the row count: the last batch is partial
        using var reader = CriteoReader.Open(path, layout, new CriteoReaderOptions { BatchSize = batchSize, ParserThreads = 2 });
        int line = 0;
        foreach (CriteoBatch b in reader)
        {
            Assert.Equal(new DataPosition(0, line), b.Start);
            Assert.Equal(Math.Min(batchSize, lines.Count - line), b.Batch.Count);
            for (int r = 0; r < b.Batch.Count; r++, line++)
                ReferenceCriteoParser.AssertRowEquals(ReferenceCriteoParser.Parse(lines[line], layout), b.Batch, r, $"{name} line {line + 1}");
            // A batch cut short by the end of the input ends at the next file's line 0 (the reader went past the end).
            bool cutShort = b.Batch.Count < batchSize;
            Assert.Equal(cutShort ? new DataPosition(1, 0) : new DataPosition(0, line), b.End);
        }
        Assert.Equal(lines.Count, line);
        Assert.Equal(lines.Count, reader.RowsRead);
        Assert.Equal(0, reader.RejectedRows);
    }

    [SharedDataFact]
    public void Batches_do_not_depend_on_the_thread_count_or_pipeline_depth()
    {
        string[] files = [SharedData.PathOf(SharedData.KaggleHead)];
        var baseline = BatchCopy.ReadAll(files, CriteoLayout.Labeled, new CriteoReaderOptions { BatchSize = 500, ParserThreads = 1, BatchesInFlight = 2 });
        Assert.Equal(20, baseline.Count);
        foreach ((int threads, int inFlight) in new[] { (2, 0), (3, 3), (8, 5) })
            BatchCopy.AssertSame(baseline, BatchCopy.ReadAll(files, CriteoLayout.Labeled,
                new CriteoReaderOptions { BatchSize = 500, ParserThreads = threads, BatchesInFlight = inFlight }));
    }

    [SharedDataFact]
    public void Plain_text_and_gzip_give_the_same_batches_and_gzip_is_found_by_its_magic_bytes()
    {
        using var temp = new TempFolder();
        string gz = SharedData.PathOf(SharedData.Day0Head);
        string plain = temp.File("day0.tsv");
        string gzipNamedTxt = temp.File("day0.txt");
        using (var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress))
        using (var output = File.Create(plain))
            input.CopyTo(output);
        File.Copy(gz, gzipNamedTxt);
        var options = new CriteoReaderOptions { BatchSize = 1024, ParserThreads = 2 };
        var fromGzip = BatchCopy.ReadAll([gz], CriteoLayout.Labeled, options);
        BatchCopy.AssertSame(fromGzip, BatchCopy.ReadAll([plain], CriteoLayout.Labeled, options));
        BatchCopy.AssertSame(fromGzip, BatchCopy.ReadAll([gzipNamedTxt], CriteoLayout.Labeled, options));
    }

    [SharedDataFact]
    public void Resuming_at_a_saved_position_gives_exactly_the_remaining_batches()
    {
        // Three files: a piece of day 0, an empty file, and the rest of day 0 without its final newline.
        using var temp = new TempFolder();
        List<string> lines = ReferenceCriteoParser.ReadLines(SharedData.PathOf(SharedData.Day0Head));
        string a = temp.File("a.tsv"), empty = temp.File("empty.tsv"), b = temp.File("b.tsv.gz");
        File.WriteAllText(a, string.Join("\n", lines.Take(3333)) + "\n");
        File.WriteAllText(empty, "");
        using (var gzip = new GZipStream(File.Create(b), CompressionLevel.Fastest))
            gzip.Write(System.Text.Encoding.ASCII.GetBytes(string.Join("\n", lines.Skip(3333))));
        string[] files = [a, empty, b];
        var options = new CriteoReaderOptions { BatchSize = 1000, ParserThreads = 2 };

        var all = BatchCopy.ReadAll(files, CriteoLayout.Labeled, options);
        Assert.Equal(10, all.Count);
        Assert.Equal(lines.Count, all.Sum(c => c.Count));
        // The batch that crosses from a.tsv (and the empty file) into b.tsv.gz.
        Assert.Equal(new DataPosition(0, 3000), all[3].Start);
        Assert.Equal(new DataPosition(2, 667), all[3].End);
        Assert.Equal(new DataPosition(3, 0), all[^1].End); // past the last file

        // The concatenation reads like the single original file.
        var single = BatchCopy.ReadAll([SharedData.PathOf(SharedData.Day0Head)], CriteoLayout.Labeled, options);
        for (int i = 0; i < all.Count; i++)
        {
            Assert.Equal(single[i].Labels, all[i].Labels);
            Assert.Equal(single[i].Tokens, all[i].Tokens);
        }

        foreach (int k in new[] { 1, 3, 4, 9 })
        {
            var resumed = BatchCopy.ReadAll(files, CriteoLayout.Labeled, options with { Start = all[k].Start });
            BatchCopy.AssertSame(all.Skip(k).ToList(), resumed);
        }
        Assert.Empty(BatchCopy.ReadAll(files, CriteoLayout.Labeled, options with { Start = all[^1].End }));
    }

    [SharedDataFact]
    public void A_labeled_reading_of_the_unlabeled_test_file_explains_the_layout()
    {
        using var reader = CriteoReader.Open(SharedData.PathOf(SharedData.KaggleTest), CriteoLayout.Labeled);
        var e = Assert.Throws<DataFormatException>(() => reader.MoveNext());
        Assert.Equal(1, e.Line);
        Assert.Contains("39 tab-separated fields, expected 40", e.Message);
        Assert.Contains("is this an unlabeled test file (39 columns, no label)?", e.Message);
        Assert.Contains(SharedData.KaggleTest, e.Message);
    }
}
