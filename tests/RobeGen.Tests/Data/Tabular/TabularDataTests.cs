using System.Globalization;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Encoding = System.Text.Encoding;
using ParquetSharp;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Data.Tabular;

/// <summary>
/// A named model's columns read from CSV (plain, gzip, other delimiters) and Parquet: each batch value against the
/// value worked out by hand from the cell, the same rows from every format, positions, and errors that name the place.
/// </summary>
public sealed class TabularDataTests : IDisposable
{
    private readonly TempFolder _temp = new();

    /// <summary>clicked, price, age, score, user_id, country; the columns in another order than the model's, plus one it ignores.</summary>
    private const string Csv = """
        country,user_id,note,score,age,price,clicked
        fr,42,"a, quoted note",0.5,30,10,1
        "de",u-7,"",-2,,0,0
        fr,42,x,1e3,50,,true
        """;

    private static readonly (float Label, double? Price, double? Age, double Score, string User, string Country)[] Rows =
    [
        (1, 10, 30, 0.5, "42", "fr"),
        (0, 0, null, -2, "u-7", "de"),
        (1, null, 50, 1000, "42", "fr"),
    ];

    private string Write(string name, string text, bool gzip = false)
    {
        string path = _temp.File(name);
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (!gzip) File.WriteAllBytes(path, bytes);
        else using (var z = new GZipStream(File.Create(path), CompressionLevel.Fastest)) z.Write(bytes);
        return path;
    }

    /// <summary>The same rows as Parquet, with a type mix: bool label, double price, float? age, int score, string user, string country.</summary>
    private string WriteParquet(string name)
    {
        string path = _temp.File(name);
        var columns = new Column[]
        {
            new Column<bool>("clicked"), new Column<double?>("price"), new Column<float?>("age"), new Column<double>("score"),
            new Column<string>("user_id"), new Column<string>("country"),
        };
        using var writer = new ParquetFileWriter(path, columns);
        using (RowGroupWriter group = writer.AppendRowGroup())
        {
            using (var c = group.NextColumn().LogicalWriter<bool>()) c.WriteBatch(Rows.Select(r => r.Label == 1).ToArray());
            using (var c = group.NextColumn().LogicalWriter<double?>()) c.WriteBatch(Rows.Select(r => r.Price).ToArray());
            using (var c = group.NextColumn().LogicalWriter<float?>()) c.WriteBatch(Rows.Select(r => (float?)r.Age).ToArray());
            using (var c = group.NextColumn().LogicalWriter<double>()) c.WriteBatch(Rows.Select(r => r.Score).ToArray());
            using (var c = group.NextColumn().LogicalWriter<string>()) c.WriteBatch(Rows.Select(r => r.User).ToArray());
            using (var c = group.NextColumn().LogicalWriter<string>()) c.WriteBatch(Rows.Select(r => r.Country).ToArray());
        }
        writer.Close();
        return path;
    }

    private static Batch ReadAll(ITrainingData data, int batchSize = 16)
    {
        using IBatchCursor cursor = data.Open(DataPosition.Start, batchSize);
        Assert.True(cursor.MoveNext());
        Batch batch = cursor.Current;
        var copy = new Batch(batch.Capacity, batch.DenseFeatures, batch.Tables) { Count = batch.Count };
        batch.Labels.CopyTo(copy.Labels, 0);
        batch.Dense.CopyTo(copy.Dense, 0);
        batch.Tokens.CopyTo(copy.Tokens, 0);
        Assert.False(cursor.MoveNext());
        return copy;
    }

    /// <summary>What each cell must become, computed here from the rows (not by the reader's code).</summary>
    private static void AssertRows(Batch batch)
    {
        Assert.Equal(Rows.Length, batch.Count);
        double[] ages = Rows.Where(r => r.Age is not null).Select(r => r.Age!.Value).ToArray();
        double mean = ages.Average();
        double std = Math.Sqrt(ages.Select(a => (a - mean) * (a - mean)).Average());
        for (int r = 0; r < Rows.Length; r++)
        {
            var row = Rows[r];
            Assert.Equal(row.Label, batch.Labels[r]);
            Assert.Equal(row.Price is { } p && p > 0 ? (float)Math.Log(1 + p) : 0f, batch.Dense[r * 3]);
            Assert.Equal(row.Age is { } a ? (float)((a - mean) / std) : 0f, batch.Dense[r * 3 + 1], 6);
            Assert.Equal((float)row.Score, batch.Dense[r * 3 + 2]);
            ulong user = uint.TryParse(row.User, out uint id) ? id : XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(row.User));
            Assert.Equal(user, batch.Tokens[r * 2]);
            Assert.Equal((ulong)XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(row.Country)), batch.Tokens[r * 2 + 1]);
        }
    }

    [Fact]
    public void Csv_cells_become_the_declared_inputs()
    {
        var data = TabularData.Open(ShopClicks.Declaration, Write("shop.csv", Csv));
        AssertRows(ReadAll(data));
        (double mean, double std) = data.ResolvedStatistics["age"];
        Assert.Equal(40, mean, 12);
        Assert.Equal(10, std, 12);
    }

    [Fact]
    public void Gzip_and_other_delimiters_read_the_same()
    {
        AssertRows(ReadAll(TabularData.Open(ShopClicks.Declaration, Write("shop.csv.gz", Csv, gzip: true))));
        string semicolons = Csv.Replace("\"a, quoted note\"", "note").Replace(',', ';');
        AssertRows(ReadAll(new TabularData(ShopClicks.Declaration, [Write("shop.txt", semicolons)], delimiter: ';')));
    }

    [Fact]
    public void Parquet_of_other_types_reads_the_same_as_csv()
    {
        AssertRows(ReadAll(TabularData.Open(ShopClicks.Declaration, WriteParquet("shop.parquet"))));
    }

    [Fact]
    public void Evaluation_files_keep_the_training_statistics_and_checkpoint_settings_round_trip()
    {
        var train = TabularData.Open(ShopClicks.Declaration, Write("train.csv", Csv));
        TabularData eval = train.WithFiles(Write("eval.csv", "clicked,price,age,score,user_id,country\n0,1,40,0,a,b\n"));
        Batch batch = ReadAll(eval);
        Assert.Equal(0f, batch.Dense[1]); // age 40 is the training mean: 0, not the evaluation file's own statistics
        DenseStatistics back = DenseStatistics.FromSettings(train.ResolvedStatistics.ToSettings());
        Assert.Equal(train.ResolvedStatistics["age"], back["age"]);
    }

    [Fact]
    public void A_cursor_opened_at_a_saved_position_continues_across_files()
    {
        string a = Write("a.csv", Csv), b = WriteParquet("b.parquet");
        var data = new TabularData(ShopClicks.Declaration, [a, b]) { Statistics = AgeStatistics(2, 80, 3400) };
        var labels = new List<float>();
        DataPosition saved = default;
        using (IBatchCursor cursor = data.Open(DataPosition.Start, 2))
        {
            while (cursor.MoveNext())
            {
                labels.AddRange(cursor.Current.LabelSpan.ToArray());
                if (labels.Count == 4) saved = cursor.Position;
            }
        }
        Assert.Equal(new DataPosition(1, 1), saved);
        var resumed = new List<float>();
        using (IBatchCursor cursor = data.Open(saved, 2))
            while (cursor.MoveNext()) resumed.AddRange(cursor.Current.LabelSpan.ToArray());
        Assert.Equal(labels.Skip(4), resumed);
    }

    [Fact]
    public void A_cursor_disposed_mid_file_stops_its_reader_and_an_error_comes_after_the_good_batches()
    {
        var text = new StringBuilder("clicked,price,age,score,user_id,country\n");
        for (int r = 0; r < 5000; r++) text.Append(CultureInfo.InvariantCulture, $"{r % 2},{r},30,0,u{r},fr\n");
        text.Append("1,oops,30,0,u,fr\n");
        var data = new TabularData(ShopClicks.Declaration, [Write("long.csv", text.ToString())]) { Statistics = AgeStatistics(1, 30, 900) };
        using (IBatchCursor cursor = data.Open(DataPosition.Start, 10))
            Assert.True(cursor.MoveNext()); // disposed with the reader far ahead: must not hang

        int rows = 0;
        using IBatchCursor all = data.Open(DataPosition.Start, 1000);
        var e = Assert.Throws<DataFormatException>(() => { while (all.MoveNext()) rows += all.Current.Count; });
        Assert.Equal(5000, rows);
        Assert.Equal(5002, e.Line);
    }

    [Fact]
    public void A_missing_column_names_the_file_the_column_and_a_near_match()
    {
        string path = Write("bad.csv", "Clicked,price,age,score,user_id,country\n1,1,1,1,1,1\n");
        var e = Assert.Throws<DataFormatException>(() => ReadAll(TabularData.Open(ShopClicks.Declaration, path)));
        Assert.StartsWith($"{path}, line 1, field clicked", e.Message);
        Assert.Contains("did you mean 'Clicked'", e.Message);
    }

    [Theory]
    [InlineData("1,abc,1,1,u,c", "price", 2, "not a number: 'abc'")]
    [InlineData("2,1,1,1,u,c", "clicked", 1, "the label must be 0 or 1")]
    [InlineData("1,1,1,1,\"[1,2]\",c", "user_id", 5, "this column holds one value per cell")]
    [InlineData("1,1,1,1,u", "country", 6, "the line has 5 fields, the header has 6")]
    public void A_bad_cell_names_the_file_the_line_and_the_column(string line, string field, int column, string reason)
    {
        string path = Write("bad.csv", $"clicked,price,age,score,user_id,country\n1,1,1,1,u,c\n{line}\n");
        var data = new TabularData(ShopClicks.Declaration, [path]) { Statistics = AgeStatistics(1, 1, 1) };
        var e = Assert.Throws<DataFormatException>(() => ReadAll(data));
        Assert.Equal((3L, field, column), (e.Line, e.Field, e.Column));
        Assert.StartsWith($"{path}, line 3, field {field} (column {column}): ", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_parquet_list_column_is_refused_for_a_single_hot_table()
    {
        string path = _temp.File("lists.parquet");
        var columns = new Column[] { new Column<int>("clicked"), new Column<double>("price"), new Column<double>("age"), new Column<double>("score"),
            new Column<long[]>("user_id"), new Column<string>("country") };
        using (var writer = new ParquetFileWriter(path, columns))
        {
            using (RowGroupWriter group = writer.AppendRowGroup())
            {
                using (var c = group.NextColumn().LogicalWriter<int>()) c.WriteBatch([1]);
                for (int i = 0; i < 3; i++) using (var c = group.NextColumn().LogicalWriter<double>()) c.WriteBatch([1.0]);
                using (var c = group.NextColumn().LogicalWriter<long[]>()) c.WriteBatch([[1L, 2L]]);
                using (var c = group.NextColumn().LogicalWriter<string>()) c.WriteBatch(["x"]);
            }
            writer.Close();
        }
        var e = Assert.Throws<DataFormatException>(() => ReadAll(TabularData.Open(ShopClicks.Declaration, path)));
        Assert.Equal("user_id", e.Field);
        Assert.Contains("is a LIST of Int64 (multi-hot); the model reads it as single-hot", e.Message);
    }

    [Fact]
    public void A_parquet_file_without_a_column_or_with_a_column_of_another_type_is_refused_naming_it()
    {
        string missing = _temp.File("missing.parquet");
        using (var writer = new ParquetFileWriter(missing, new Column[] { new Column<int>("clicked"), new Column<double>("price") }))
        {
            using (RowGroupWriter group = writer.AppendRowGroup())
            {
                using (var c = group.NextColumn().LogicalWriter<int>()) c.WriteBatch([1]);
                using (var c = group.NextColumn().LogicalWriter<double>()) c.WriteBatch([1.0]);
            }
            writer.Close();
        }
        var e = Assert.Throws<DataFormatException>(() => ReadAll(TabularData.Open(ShopClicks.Declaration, missing)));
        Assert.StartsWith($"{missing}, field age (column 0): the model reads column 'age', which the Parquet schema does not have; it has: clicked, price", e.Message);

        string dates = _temp.File("dates.parquet");
        var columns = new Column[] { new Column<int>("clicked"), new Column<double>("price"), new Column<DateTime>("age"), new Column<double>("score"),
            new Column<string>("user_id"), new Column<string>("country") };
        using (var writer = new ParquetFileWriter(dates, columns))
        {
            using (RowGroupWriter group = writer.AppendRowGroup())
            {
                using (var c = group.NextColumn().LogicalWriter<int>()) c.WriteBatch([1]);
                using (var c = group.NextColumn().LogicalWriter<double>()) c.WriteBatch([1.0]);
                using (var c = group.NextColumn().LogicalWriter<DateTime>()) c.WriteBatch([new DateTime(2020, 1, 1)]);
                using (var c = group.NextColumn().LogicalWriter<double>()) c.WriteBatch([1.0]);
                for (int i = 0; i < 2; i++) using (var c = group.NextColumn().LogicalWriter<string>()) c.WriteBatch(["a"]);
            }
            writer.Close();
        }
        var data = new TabularData(ShopClicks.Declaration, [dates]) { Statistics = AgeStatistics(1, 1, 1) };
        e = Assert.Throws<DataFormatException>(() => ReadAll(data));
        Assert.Equal(("age", 3), (e.Field, e.Column));
        Assert.Contains("the model reads numbers, booleans or strings", e.Message);
    }

    [Fact]
    public void A_bad_parquet_value_names_the_row()
    {
        string path = _temp.File("bad.parquet");
        var columns = new Column[] { new Column<int>("clicked"), new Column<double>("price"), new Column<double>("age"), new Column<double>("score"),
            new Column<string>("user_id"), new Column<string>("country") };
        using (var writer = new ParquetFileWriter(path, columns))
        {
            using (RowGroupWriter group = writer.AppendRowGroup())
            {
                using (var c = group.NextColumn().LogicalWriter<int>()) c.WriteBatch([1, 0, 7]);
                for (int i = 0; i < 3; i++) using (var c = group.NextColumn().LogicalWriter<double>()) c.WriteBatch([1.0, 2.0, 3.0]);
                for (int i = 0; i < 2; i++) using (var c = group.NextColumn().LogicalWriter<string>()) c.WriteBatch(["a", "b", "c"]);
            }
            writer.Close();
        }
        var e = Assert.Throws<DataFormatException>(() => ReadAll(TabularData.Open(ShopClicks.Declaration, path)));
        Assert.StartsWith($"{path}, row 3, field clicked (column 1): the label must be 0 or 1, found 7", e.Message);
    }

    private static DenseStatistics AgeStatistics(long count, double sum, double squares) =>
        DenseStatistics.FromSums(new Dictionary<string, (long, double, double)> { ["age"] = (count, sum, squares) });

    public void Dispose() => _temp.Dispose();
}
