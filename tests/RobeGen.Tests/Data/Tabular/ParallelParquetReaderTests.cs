using ParquetSharp;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Models;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Data.Tabular;

/// <summary>
/// A Parquet file of many row groups decoded by several threads (<see cref="TabularData.DecodeThreads"/>) gives the
/// batches, positions and errors of one thread: labels, dense values, tokens and bags compared batch by batch, from
/// the start and from positions inside and between row groups; a bad cell names the file, row and column of the first
/// bad cell in row order even when a later column of an earlier row group fails on another thread.
/// </summary>
public sealed class ParallelParquetReaderTests : IDisposable
{
    private const int Rows = 1000;
    internal const int GroupRows = 97;
    private readonly TempFolder _temp = new();

    internal sealed record Row(int Label, double? Price, double? Age, double Score, string User, string Country, string[]? Tags, long[]? Genres);

    internal static Row[] MakeRows(int count)
    {
        var random = new Random(5);
        string[] words = ["red", "blue", "sale", "42", "4294967296", "ünï"];
        return Enumerable.Range(0, count).Select(r => new Row(random.Next(2), random.Next(4) == 0 ? null : random.Next(100) * 1.5,
            random.Next(5) == 0 ? null : random.Next(18, 80), random.NextDouble(), "u" + random.Next(50), "c" + random.Next(5),
            random.Next(6) == 0 ? null : Enumerable.Range(0, random.Next(0, 7)).Select(_ => words[random.Next(words.Length)]).ToArray(),
            r % 5 == 0 ? null : Enumerable.Range(0, random.Next(1, 9)).Select(_ => (long)random.Next(300)).ToArray())).ToArray();
    }

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> in row groups of <paramref name="rowGroupRows"/> rows
    /// (<see cref="GroupRows"/> by default); <paramref name="ageAsDate"/> writes the age column as dates (a schema mismatch).</summary>
    internal static string Write(string path, Row[] rows, bool ageAsDate = false, int rowGroupRows = GroupRows)
    {
        var columns = new Column[]
        {
            new Column<int>("clicked"), new Column<double?>("price"), ageAsDate ? new Column<DateTime>("age") : new Column<double?>("age"),
            new Column<double>("score"), new Column<string>("user_id"), new Column<string>("country"), new Column<string[]>("tags"),
            new Column<long[]>("genres"),
        };
        using (var writer = new ParquetFileWriter(path, columns))
        {
            foreach (Row[] group in rows.Chunk(rowGroupRows))
            {
                using RowGroupWriter g = writer.AppendRowGroup();
                using (var c = g.NextColumn().LogicalWriter<int>()) c.WriteBatch(group.Select(r => r.Label).ToArray());
                using (var c = g.NextColumn().LogicalWriter<double?>()) c.WriteBatch(group.Select(r => r.Price).ToArray());
                if (ageAsDate) using (var c = g.NextColumn().LogicalWriter<DateTime>()) c.WriteBatch(group.Select(_ => new DateTime(2020, 1, 1)).ToArray());
                else using (var c = g.NextColumn().LogicalWriter<double?>()) c.WriteBatch(group.Select(r => r.Age).ToArray());
                using (var c = g.NextColumn().LogicalWriter<double>()) c.WriteBatch(group.Select(r => r.Score).ToArray());
                using (var c = g.NextColumn().LogicalWriter<string>()) c.WriteBatch(group.Select(r => r.User).ToArray());
                using (var c = g.NextColumn().LogicalWriter<string>()) c.WriteBatch(group.Select(r => r.Country).ToArray());
                using (var c = g.NextColumn().LogicalWriter<string[]>()) c.WriteBatch(group.Select(r => r.Tags!).ToArray());
                using (var c = g.NextColumn().LogicalWriter<long[]>()) c.WriteBatch(group.Select(r => r.Genres!).ToArray());
            }
            writer.Close();
        }
        return path;
    }

    internal static DenseStatistics AgeStatistics() =>
        DenseStatistics.FromSums(new Dictionary<string, (long, double, double)> { ["age"] = (2, 80, 3400) });

    /// <summary>A batch's valid rows and the position after it, as comparable text.</summary>
    internal static string Snapshot(Batch b, DataPosition position)
    {
        var parts = new List<string> { $"{position.FileIndex}:{position.Line}", string.Join(',', b.LabelSpan.ToArray()), string.Join(',', b.DenseSpan.ToArray()) };
        if (b.IsMultiHot)
        {
            parts.Add(string.Join(',', b.BagOffsets.AsSpan(0, b.Count * b.Tables + 1).ToArray()));
            parts.Add(string.Join(',', b.BagIds.AsSpan(0, b.IdCount).ToArray()));
        }
        else parts.Add(string.Join(',', b.Tokens.AsSpan(0, b.Count * b.Tables).ToArray()));
        return string.Join('|', parts);
    }

    private static List<string> ReadAll(TabularData data, DataPosition start, int batchSize)
    {
        var batches = new List<string>();
        using IBatchCursor cursor = data.Open(start, batchSize);
        while (cursor.MoveNext()) batches.Add(Snapshot(cursor.Current, cursor.Position));
        return batches;
    }

    private static TabularData Data(ModelDeclaration declaration, string path, int threads, bool labeled = true) =>
        new(declaration, [path]) { Statistics = AgeStatistics(), DecodeThreads = threads, Labeled = labeled };

    public static TheoryData<bool> Shapes => new() { false, true };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Several_threads_give_the_batches_and_positions_of_one_from_the_start_and_from_any_row(bool multiHot)
    {
        ModelDeclaration declaration = multiHot ? MultiHotReaderTests.Declaration() : ShopClicks.Declaration;
        string path = Write(_temp.File("rows.parquet"), MakeRows(Rows));
        foreach (int batchSize in new[] { 64, 250, 4096 })
        {
            List<string> one = ReadAll(Data(declaration, path, 1), DataPosition.Start, batchSize);
            Assert.Equal((Rows + batchSize - 1) / batchSize, one.Count);
            foreach (int threads in new[] { 2, 5 }) Assert.Equal(one, ReadAll(Data(declaration, path, threads), DataPosition.Start, batchSize));
        }
        // Inside a row group, at a row group's start, past the last row group's start; and without labels.
        foreach (long row in new long[] { 1, 150, 3 * GroupRows, Rows - 5 })
        {
            List<string> one = ReadAll(Data(declaration, path, 1), new DataPosition(0, row), 64);
            Assert.Equal(one, ReadAll(Data(declaration, path, 3), new DataPosition(0, row), 64));
            Assert.Equal((Rows - row + 63) / 64, one.Count);
        }
        Assert.Equal(ReadAll(Data(declaration, path, 1, labeled: false), DataPosition.Start, 100), ReadAll(Data(declaration, path, 4, labeled: false), DataPosition.Start, 100));
    }

    [Fact]
    public void Resuming_inside_a_row_group_gives_the_rows_that_followed()
    {
        string path = Write(_temp.File("rows.parquet"), MakeRows(Rows));
        var data = Data(ShopClicks.Declaration, path, 4);
        Batch Copy(Batch b) => BagWriter.CopyRows(b, b.Count);
        var all = new List<Batch>();
        using (IBatchCursor cursor = data.Open(DataPosition.Start, 50))
            while (cursor.MoveNext()) all.Add(Copy(cursor.Current));
        // Row 150 is row 53 of the second row group; batch 3 of 50 rows starts there.
        using IBatchCursor resumed = data.Open(new DataPosition(0, 150), 50);
        Assert.True(resumed.MoveNext());
        Assert.Equal(all[3].LabelSpan.ToArray(), resumed.Current.LabelSpan.ToArray());
        Assert.Equal(all[3].DenseSpan.ToArray(), resumed.Current.DenseSpan.ToArray());
        Assert.Equal(all[3].Tokens.AsSpan(0, 50 * all[3].Tables).ToArray(), resumed.Current.Tokens.AsSpan(0, 50 * all[3].Tables).ToArray());
    }

    [Fact]
    public void The_first_bad_cell_in_row_order_is_named_after_the_batches_before_it_whatever_the_threads()
    {
        Row[] rows = MakeRows(Rows);
        rows[700] = rows[700] with { Label = 2 };
        rows[450] = rows[450] with { Price = double.PositiveInfinity };
        string path = Write(_temp.File("bad.parquet"), rows);
        foreach (int threads in new[] { 1, 4 })
        {
            var delivered = new List<string>();
            DataFormatException e = Assert.Throws<DataFormatException>(() =>
            {
                using IBatchCursor cursor = Data(ShopClicks.Declaration, path, threads).Open(DataPosition.Start, 100);
                while (cursor.MoveNext()) delivered.Add(Snapshot(cursor.Current, cursor.Position));
            });
            Assert.Equal((451L, "price", 2), (e.Line, e.Field, e.Column));
            Assert.StartsWith($"{path}, row 451, field price (column 2): not a finite number", e.Message);
            Assert.Equal(4, delivered.Count);
        }
        // Resumed past the bad price, the bad label is the first.
        DataFormatException later = Assert.Throws<DataFormatException>(() => ReadAll(Data(ShopClicks.Declaration, path, 3), new DataPosition(0, 451), 100));
        Assert.Equal((701L, "clicked", 1), (later.Line, later.Field, later.Column));
    }

    [Theory]
    [InlineData(0, 20, 21L, 0)]
    [InlineData(0, 70, 71L, 1)]
    [InlineData(10, 70, 71L, 1)]
    public void A_bad_cell_before_or_after_the_first_reads_rows_of_its_row_group_is_named_after_the_batches_before_it(long start, int bad, long row, int batches)
    {
        // Batches of 50 from a row group of 97: the first read's 50 rows decode apart from the rest of the row group.
        Row[] rows = MakeRows(Rows);
        rows[bad] = rows[bad] with { Price = double.NaN };
        string path = Write(_temp.File("bad.parquet"), rows);
        foreach (int threads in new[] { 1, 3 })
        {
            var delivered = new List<string>();
            DataFormatException e = Assert.Throws<DataFormatException>(() =>
            {
                using IBatchCursor cursor = Data(ShopClicks.Declaration, path, threads).Open(new DataPosition(0, start), 50);
                while (cursor.MoveNext()) delivered.Add(Snapshot(cursor.Current, cursor.Position));
            });
            Assert.Equal((row, "price", 2), (e.Line, e.Field, e.Column));
            Assert.Equal(batches, delivered.Count);
        }
    }

    [Fact]
    public void A_column_of_an_unreadable_type_names_the_file_and_column_whatever_the_threads()
    {
        string path = Write(_temp.File("dates.parquet"), MakeRows(300), ageAsDate: true);
        foreach (int threads in new[] { 1, 4 })
        {
            DataFormatException e = Assert.Throws<DataFormatException>(() => ReadAll(Data(ShopClicks.Declaration, path, threads), DataPosition.Start, 64));
            Assert.Equal(("age", 3), (e.Field, e.Column));
            Assert.StartsWith($"{path}, field age (column 3): column 'age' has type", e.Message);
        }
    }

    public void Dispose() => _temp.Dispose();
}
