using System.IO.Compression;
using System.Text;
using RobeGen.Data;

namespace RobeGen.Tests.Data;

/// <summary>Line-level rules of the reader on small handmade files: values, missing fields, and every kind of bad line.</summary>
public class CriteoReaderFormatTests
{
    private static readonly string[] GoodInts = ["5", "", "-1", "0", "4095", "4096", "123456789012", "-9223372036854775808", "9223372036854775807", "1", "", "2", "3"];
    private static readonly string[] GoodIds =
    [
        "68fd1e64", "", "FFFFFFFF", "00000000", "1a", "80e26c9b", "fb936136", "7b4723c4", "25c83c98", "7e0ccccf", "de7995b8", "1f89b562", "a73ee510",
        "a8cd5504", "b2cb9c98", "37c9c164", "2824a5f6", "1adce6ef", "8ba8b39a", "891b62e7", "e5ba7672", "f54016b9", "21ddcdc9", "b1252a9d", "07b5194c", "",
    ];

    private static string GoodLine(string label = "1") => label + "\t" + string.Join("\t", GoodInts) + "\t" + string.Join("\t", GoodIds);

    /// <summary>The good line with field <paramref name="field"/> (0 = label, 1..13 = I, 14..39 = C) replaced.</summary>
    private static string WithField(int field, string value)
    {
        string[] fields = GoodLine().Split('\t');
        fields[field] = value;
        return string.Join("\t", fields);
    }

    private static List<BatchCopy> Read(string content, CriteoReaderOptions? options = null, CriteoLayout layout = CriteoLayout.Labeled)
    {
        using var temp = new TempFolder();
        string path = temp.File("rows.tsv");
        File.WriteAllText(path, content);
        return BatchCopy.ReadAll([path], layout, options ?? new CriteoReaderOptions { BatchSize = 4, ParserThreads = 2 });
    }

    private static DataFormatException ReadBad(string content, string fileName = "bad.tsv", CriteoLayout layout = CriteoLayout.Labeled)
    {
        using var temp = new TempFolder();
        string path = temp.File(fileName);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(content));
        return Assert.Throws<DataFormatException>(() => BatchCopy.ReadAll([path], layout, new CriteoReaderOptions { BatchSize = 2, ParserThreads = 2 }));
    }

    [Fact]
    public void Values_are_transformed_as_specified()
    {
        var batch = Assert.Single(Read(GoodLine("1") + "\n" + GoodLine("0") + "\n"));
        Assert.Equal([1f, 0f], batch.Labels);
        for (int i = 0; i < 13; i++)
        {
            long x = GoodInts[i].Length == 0 ? 0 : long.Parse(GoodInts[i]);
            Assert.Equal((float)Math.Log(1.0 + Math.Max(0, x)), batch.Dense[i]);
        }
        Assert.Equal(0f, batch.Dense[1]);                 // missing
        Assert.Equal(0f, batch.Dense[2]);                 // -1 clipped
        Assert.Equal(MathF.Log(4097f), batch.Dense[5], 6);
        Assert.Equal(0x68fd1e64UL, batch.Tokens[0]);
        Assert.Equal(EmbeddingTable.MissingRawToken, batch.Tokens[1]);
        Assert.Equal(0xFFFFFFFFUL, batch.Tokens[2]);
        Assert.Equal(0UL, batch.Tokens[3]);
        Assert.Equal(0x1aUL, batch.Tokens[4]);
        Assert.Equal(EmbeddingTable.MissingRawToken, batch.Tokens[25]);
    }

    [Fact]
    public void Crlf_line_ends_a_bom_and_a_missing_final_newline_are_accepted()
    {
        var expected = Read(GoodLine() + "\n" + GoodLine("0") + "\n");
        var actual = Read("\uFEFF" + GoodLine() + "\r\n" + GoodLine("0"));
        BatchCopy.AssertSame(expected, actual);
    }

    [Fact]
    public void Unlabeled_lines_parse_with_zero_labels()
    {
        string line = string.Join("\t", GoodInts) + "\t" + string.Join("\t", GoodIds);
        var batch = Assert.Single(Read(line + "\n" + line + "\n", layout: CriteoLayout.Unlabeled));
        var labeled = Assert.Single(Read(GoodLine() + "\n" + GoodLine() + "\n"));
        Assert.Equal([0f, 0f], batch.Labels);
        Assert.Equal(labeled.Dense, batch.Dense);
        Assert.Equal(labeled.Tokens, batch.Tokens);
    }

    [Theory]
    [InlineData(0, "2", "label", 1, "label must be 0 or 1, found '2'")]
    [InlineData(0, "", "label", 1, "label must be 0 or 1, found ''")]
    [InlineData(0, "01", "label", 1, "label must be 0 or 1, found '01'")]
    [InlineData(5, "12x", "I5", 6, "not a decimal integer: '12x'")]
    [InlineData(5, "-", "I5", 6, "not a decimal integer: '-'")]
    [InlineData(5, "1.5", "I5", 6, "not a decimal integer: '1.5'")]
    [InlineData(13, "9223372036854775808", "I13", 14, "integer overflow")]
    [InlineData(13, "-9223372036854775809", "I13", 14, "integer overflow")]
    [InlineData(1, "123456789012345678901234567890", "I1", 2, "integer overflow")]
    [InlineData(25, "68fd1g64", "C12", 26, "not a hexadecimal id: '68fd1g64'")]
    [InlineData(39, "123456789", "C26", 40, "id longer than 8 hex digits")]
    [InlineData(14, " 68fd1e64", "C1", 15, "not a hexadecimal id: ' 68fd1e64'")]
    [InlineData(3, "1\r2", "I3", 4, "carriage return (CR)")]
    public void A_bad_field_is_named_with_file_line_column_and_problem(int field, string value, string name, int column, string reason)
    {
        var e = ReadBad(GoodLine() + "\n" + GoodLine() + "\n" + WithField(field, value) + "\n");
        Assert.Equal(3, e.Line);
        Assert.Equal(name, e.Field);
        Assert.Equal(column, e.Column);
        Assert.Contains(reason, e.Message);
        Assert.Contains("bad.tsv, line 3, field " + name + " (column " + column + ")", e.Message);
    }

    [Fact]
    public void A_short_line_names_the_first_missing_field()
    {
        string[] fields = GoodLine().Split('\t');
        var e = ReadBad(string.Join("\t", fields.Take(20)) + "\n");
        Assert.Equal("C7", e.Field); // label, I1..I13 and C1..C6 are there
        Assert.Equal(21, e.Column);
        Assert.Contains("20 tab-separated fields, expected 40", e.Message);

        var empty = ReadBad(GoodLine() + "\n\n" + GoodLine() + "\n");
        Assert.Equal(2, empty.Line);
        Assert.Contains("1 tab-separated fields", empty.Message);
    }

    [Fact]
    public void A_long_line_names_the_extra_column()
    {
        var e = ReadBad(GoodLine() + "\tdeadbeef\n");
        Assert.Equal(41, e.Column);
        Assert.Contains("41 tab-separated fields, expected 40", e.Message);
        var trailingTab = ReadBad(GoodLine() + "\t\n");
        Assert.Contains("41 tab-separated fields", trailingTab.Message);
    }

    [Fact]
    public void A_labeled_line_read_as_unlabeled_explains_the_layout()
    {
        var e = ReadBad(GoodLine() + "\n", layout: CriteoLayout.Unlabeled);
        Assert.Contains("is this a labeled file (40 columns, the label first)?", e.Message);
    }

    [Fact]
    public void An_endless_line_is_an_error_not_an_unbounded_buffer()
    {
        using var temp = new TempFolder();
        string path = temp.File("binary.dat");
        File.WriteAllBytes(path, new byte[300_000]);
        var e = Assert.Throws<DataFormatException>(() =>
            BatchCopy.ReadAll([path], CriteoLayout.Labeled, new CriteoReaderOptions { MaxLineBytes = 100_000 }));
        Assert.Contains("longer than 100000 bytes", e.Message);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void Batches_before_a_bad_line_are_delivered_and_the_error_comes_in_order()
    {
        using var temp = new TempFolder();
        string path = temp.File("late.tsv");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat(GoodLine() + "\n", 10)) + WithField(7, "x") + "\n" + GoodLine() + "\n");
        using var reader = CriteoReader.Open(path, CriteoLayout.Labeled, new CriteoReaderOptions { BatchSize = 5, ParserThreads = 3 });
        Assert.True(reader.MoveNext());
        Assert.True(reader.MoveNext());
        var e = Assert.Throws<DataFormatException>(() => reader.MoveNext());
        Assert.Equal(11, e.Line);
        Assert.Same(e, Assert.Throws<DataFormatException>(() => reader.MoveNext()));
    }

    [Fact]
    public void Skipped_bad_rows_are_counted_and_written_verbatim_to_the_rejects_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("mixed.tsv");
        string rejects = temp.File("rejects.txt");
        string[] bad = [WithField(0, "7"), "garbage", WithField(30, "xyz") + "\r", ""];
        var content = new StringBuilder();
        var goodLabels = new List<float>();
        for (int i = 0; i < 20; i++)
        {
            if (i % 5 == 2) content.Append(bad[i / 5]).Append('\n');
            else
            {
                content.Append(GoodLine(i % 2 == 0 ? "1" : "0")).Append('\n');
                goodLabels.Add(i % 2 == 0 ? 1 : 0);
            }
        }
        File.WriteAllText(path, content.ToString());
        var options = new CriteoReaderOptions { BatchSize = 4, ParserThreads = 2, SkipBadRows = true, RejectsPath = rejects };
        using var reader = CriteoReader.Open(path, CriteoLayout.Labeled, options);
        var counts = new List<int>();
        var labels = new List<float>();
        var ends = new List<DataPosition>();
        foreach (CriteoBatch b in reader)
        {
            counts.Add(b.Batch.Count);
            labels.AddRange(b.Batch.LabelSpan.ToArray());
            ends.Add(b.End);
        }
        Assert.Equal(goodLabels, labels);
        Assert.Equal(4, reader.RejectedRows);
        Assert.Equal(16, reader.RowsRead);
        Assert.Equal(20, reader.LinesRead);
        // Lines 3, 8, 13, 18 are bad: every batch still covers exactly four lines.
        Assert.Equal([3, 3, 4, 3, 3], counts);
        Assert.Equal([4L, 8, 12, 16, 20], ends.Select(p => p.Line));
        Assert.Contains("mixed.tsv, line 3, field label (column 1)", reader.FirstRejectReason);
        reader.Dispose();
        Assert.Equal(string.Concat(bad.Select(l => l + "\n")), File.ReadAllText(rejects));
    }

    [Fact]
    public void Skipping_bad_rows_without_a_rejects_file_is_refused()
    {
        using var temp = new TempFolder();
        string path = temp.File("x.tsv");
        File.WriteAllText(path, GoodLine() + "\n");
        Assert.Throws<ArgumentException>(() => CriteoReader.Open(path, CriteoLayout.Labeled, new CriteoReaderOptions { SkipBadRows = true }));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_truncated_gzip_file_is_an_error_naming_the_file(bool trailerCheck)
    {
        using var temp = new TempFolder();
        var text = new StringBuilder();
        var random = new Random(7);
        for (int i = 0; i < 3000; i++)
            text.Append(WithField(14, random.Next().ToString("x8"))).Append('\n');
        byte[] compressed;
        using (var memory = new MemoryStream())
        {
            using (var gzip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(Encoding.ASCII.GetBytes(text.ToString()));
            compressed = memory.ToArray();
        }
        foreach (int keep in new[] { compressed.Length - 1, compressed.Length - 8, compressed.Length / 2, 30 })
        {
            string path = temp.File($"cut{keep}.tsv.gz");
            File.WriteAllBytes(path, compressed.AsSpan(0, keep).ToArray());
            var options = new CriteoReaderOptions { BatchSize = 1000, ForceGzipTrailerCheck = trailerCheck };
            var e = Assert.Throws<DataFormatException>(() => BatchCopy.ReadAll([path], CriteoLayout.Labeled, options));
            Assert.Contains($"cut{keep}.tsv.gz", e.Message);
            Assert.Contains("truncated or corrupt", e.Message);
        }
    }

    [Fact]
    public void Concatenated_gzip_members_read_as_one_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("members.gz");
        using (var file = File.Create(path))
        {
            for (int member = 0; member < 3; member++)
            {
                using var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
                gzip.Write(Encoding.ASCII.GetBytes(GoodLine(member % 2 == 0 ? "1" : "0") + "\n"));
            }
        }
        var batch = Assert.Single(BatchCopy.ReadAll([path], CriteoLayout.Labeled, new CriteoReaderOptions { BatchSize = 10 }));
        Assert.Equal([1f, 0f, 1f], batch.Labels);
    }

    [Fact]
    public void A_start_position_past_the_end_of_its_file_is_refused()
    {
        using var temp = new TempFolder();
        string path = temp.File("three.tsv");
        File.WriteAllText(path, GoodLine() + "\n" + GoodLine() + "\n" + GoodLine());
        Assert.Empty(BatchCopy.ReadAll([path], CriteoLayout.Labeled, new CriteoReaderOptions { Start = new DataPosition(0, 3) }));
        Assert.Single(BatchCopy.ReadAll([path], CriteoLayout.Labeled, new CriteoReaderOptions { Start = new DataPosition(0, 2) }));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => BatchCopy.ReadAll([path], CriteoLayout.Labeled, new CriteoReaderOptions { Start = new DataPosition(0, 4) }));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => BatchCopy.ReadAll([path], CriteoLayout.Labeled, new CriteoReaderOptions { Start = new DataPosition(2, 0) }));
    }

    [Fact]
    public void A_missing_file_fails_at_open()
    {
        var e = Assert.Throws<FileNotFoundException>(() => CriteoReader.Open("/nonexistent/day_0.gz", CriteoLayout.Labeled));
        Assert.Contains("day_0.gz", e.Message);
    }
}
