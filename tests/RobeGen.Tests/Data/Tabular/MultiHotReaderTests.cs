using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Encoding = System.Text.Encoding;
using ParquetSharp;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Models;
using RobeGen.Tests.Models;
using Row = RobeGen.Tests.Data.Tabular.ParallelParquetReaderTests.Row;

namespace RobeGen.Tests.Data.Tabular;

/// <summary>
/// Multi-hot (list) columns read from CSV and Parquet into bags: every batch against a compressed-sparse-rows layout
/// built here the slow, obvious way from the rows; CSV and Parquet of the same rows give the same batches, with and
/// without reading ahead; Full tables' vocabularies count and map every id of a bag; every schema mismatch names the
/// file and the column.
/// </summary>
public sealed class MultiHotReaderTests : IDisposable
{
    private const string Header = "clicked,price,age,score,user_id,country,tags,genres";
    private readonly TempFolder _temp = new();

    /// <summary>ShopClicks (user_id, country single-hot) plus tags (sum-pooled) and genres (mean-pooled, Full) read as lists.</summary>
    internal static ModelDeclaration Declaration(EmbeddingStorage genresStorage = EmbeddingStorage.Robe)
    {
        ModelDeclaration d = ShopClicks.Declaration;
        int t = d.TableCount;
        var tags = new EmbeddingTable("Tags", t, t, 0, EmbeddingStorage.Robe, 0, (ulong)t << EmbeddingTable.RawTokenTableShift)
        { ColumnName = "tags", Pooling = Pooling.Sum, Hotness = 3 };
        var genres = new EmbeddingTable("Genres", t + 1, t + 1, 0, genresStorage, genresStorage == EmbeddingStorage.Full ? 64 : 0,
            (ulong)(t + 1) << EmbeddingTable.RawTokenTableShift)
        { ColumnName = "genres", Pooling = Pooling.Mean, Hotness = 2 };
        return WithTables(d, d.Tables.Add(tags).Add(genres));
    }

    internal static ModelDeclaration WithTables(ModelDeclaration d, System.Collections.Immutable.ImmutableArray<EmbeddingTable> tables) =>
        new(d.Name + ".MultiHot", d.DenseFeatures, d.EmbeddingDim, d.BottomMlp, d.TopMlp, d.Tokens, d.RobeSlots, d.BlockSize, d.Variant, tables,
            d.Fingerprint + "-multihot", d.Interaction, d.CrossLayers, d.CrossRank, d.NamedColumns ? d.LabelColumn : null,
            d.NamedColumns ? d.DenseColumns : default);


    /// <summary>Rows with empty, null and long bags, ids of text and of numbers, and a list separator inside a single-hot value.</summary>
    private static Row[] MakeRows(int count, int seed = 7)
    {
        var random = new Random(seed);
        var rows = new Row[count];
        string[] words = ["red", "blue", "sale", "new", "x y", "42", "7", "4294967295", "4294967296", "ünï"];
        for (int r = 0; r < count; r++)
        {
            int tagCount = random.Next(0, 9);
            string[]? tags = tagCount == 0 && random.Next(2) == 0 ? null : Enumerable.Range(0, tagCount).Select(_ => words[random.Next(words.Length)]).ToArray();
            int genreCount = r % 5 == 0 ? 0 : random.Next(1, 25);
            long[]? genres = genreCount == 0 ? null : Enumerable.Range(0, genreCount).Select(_ => (long)random.Next(0, 300)).ToArray();
            rows[r] = new Row(random.Next(2), random.Next(4) == 0 ? null : random.Next(100), random.Next(5) == 0 ? null : random.Next(18, 80),
                Math.Round(random.NextDouble(), 3), r % 7 == 0 ? "u|" + r : "u" + random.Next(50), "c" + random.Next(5), tags, genres);
        }
        return rows;
    }

    /// <summary>A text id's token, worked out here: a decimal below 2^32 as it is, any other text its XxHash32.</summary>
    private static ulong TokenOf(string id) =>
        id.All(char.IsAsciiDigit) && id.Length <= 10 && ulong.Parse(id, CultureInfo.InvariantCulture) <= uint.MaxValue
            ? ulong.Parse(id, CultureInfo.InvariantCulture)
            : XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(id));

    /// <summary>The ids each (row, table) cell must hold, in table order: user_id, country, tags, genres.</summary>
    private static ulong[][] ExpectedCells(Row row) =>
    [
        [TokenOf(row.User)],
        [TokenOf(row.Country)],
        (row.Tags ?? []).Select(TokenOf).ToArray(),
        (row.Genres ?? []).Select(g => (ulong)g).ToArray(),
    ];

    private static string Csv(IEnumerable<Row> rows, char delimiter = ',', char separator = '|')
    {
        var text = new StringBuilder(Header.Replace(',', delimiter)).Append('\n');
        int r = 0;
        foreach (Row row in rows)
        {
            string tags = string.Join(separator, row.Tags ?? []);
            // Quoted now and then, as a writer that quotes every text field would.
            if (r++ % 3 == 0) tags = '"' + tags + '"';
            string[] fields =
            [
                row.Label.ToString(CultureInfo.InvariantCulture), row.Price?.ToString(CultureInfo.InvariantCulture) ?? "",
                row.Age?.ToString(CultureInfo.InvariantCulture) ?? "", row.Score.ToString(CultureInfo.InvariantCulture), row.User, row.Country, tags,
                string.Join(separator, (row.Genres ?? []).Select(g => g.ToString(CultureInfo.InvariantCulture))),
            ];
            text.AppendJoin(delimiter, fields).Append('\n');
        }
        return text.ToString();
    }

    private string WriteCsv(string name, IEnumerable<Row> rows, char delimiter = ',', char separator = '|')
    {
        string path = _temp.File(name);
        File.WriteAllText(path, Csv(rows, delimiter, separator));
        return path;
    }

    private string WriteParquet(string name, Row[] rows, int rowGroupRows) => ParallelParquetReaderTests.Write(_temp.File(name), rows, rowGroupRows: rowGroupRows);

    /// <summary>A multi-hot batch's snapshot, checked to be one (bags only, offsets from 0).</summary>
    private static BatchSnapshot Copy(Batch b)
    {
        Assert.True(b.IsMultiHot);
        Assert.Empty(b.Tokens);
        Assert.Equal(0, b.BagOffsets[0]);
        return BatchSnapshot.Of(b);
    }

    private static List<BatchSnapshot> ReadAll(IBatchCursor cursor) => BatchSnapshot.ReadAll(cursor, Copy);

    /// <summary>Batches against the expected cells: row r of the data is row r % batchSize of batch r / batchSize.</summary>
    private static void AssertBags(IReadOnlyList<BatchSnapshot> batches, Row[] rows, int batchSize)
    {
        Assert.Equal((rows.Length + batchSize - 1) / batchSize, batches.Count);
        for (int r = 0; r < rows.Length; r++)
        {
            BatchSnapshot b = batches[r / batchSize];
            int row = r % batchSize;
            Assert.Equal(rows[r].Label, b.Labels[row]);
            ulong[][] cells = ExpectedCells(rows[r]);
            for (int t = 0; t < cells.Length; t++)
            {
                int cell = row * cells.Length + t;
                Assert.Equal(cells[t], b.Ids[b.Offsets[cell]..b.Offsets[cell + 1]]);
            }
        }
        foreach (BatchSnapshot b in batches) Assert.Equal(b.Ids.Length, b.Offsets[^1]);
    }

    private static DenseStatistics AgeStatistics() =>
        DenseStatistics.FromSums(new Dictionary<string, (long, double, double)> { ["age"] = (2, 80, 3400) });

    [Fact]
    public void Csv_lists_become_bags_across_batch_boundaries()
    {
        Row[] rows = MakeRows(103);
        var data = new TabularData(Declaration(), [WriteCsv("tags.csv", rows)]) { Statistics = AgeStatistics() };
        foreach (int batchSize in new[] { 1, 10, 64, 200 })
            AssertBags(ReadAll(data.Open(DataPosition.Start, batchSize)), rows, batchSize);
    }

    [Fact]
    public void Parquet_lists_become_the_same_batches_as_csv_with_and_without_reading_ahead()
    {
        // Two row groups, the first longer than the Parquet reader's 4096-row chunk, so levels carry over between chunks.
        Row[] rows = MakeRows(9000, seed: 11);
        string csv = WriteCsv("tags.csv", rows), parquet = WriteParquet("tags.parquet", rows, rowGroupRows: 5000);
        ModelDeclaration declaration = Declaration();
        var fromCsv = new TabularData(declaration, [csv]) { Statistics = AgeStatistics() };
        var fromParquet = new TabularData(declaration, [parquet]) { Statistics = AgeStatistics() };
        const int BatchSize = 1000;
        List<BatchSnapshot> expected = ReadAll(fromCsv.Open(DataPosition.Start, BatchSize));
        AssertBags(expected, rows, BatchSize);
        List<BatchSnapshot> parquetBatches = ReadAll(fromParquet.Open(DataPosition.Start, BatchSize));
        // A cursor on the calling thread (no read-ahead thread) gives the same batches as the prefetching one.
        ModelColumns columns = ModelColumns.For(declaration, fromParquet.ResolvedStatistics);
        List<BatchSnapshot> plain = ReadAll(new TabularCursor([parquet], path => new ParquetRowReader(path, columns, labeled: true), DataPosition.Start,
            declaration, BatchSize, null));
        foreach (List<BatchSnapshot> other in new[] { parquetBatches, plain }) BatchSnapshot.AssertSame(expected, other);
    }

    [Fact]
    public void A_cursor_resumed_at_a_saved_position_gives_the_same_bags()
    {
        Row[] rows = MakeRows(50, seed: 3);
        var data = new TabularData(Declaration(), [WriteCsv("a.csv", rows[..20]), WriteParquet("b.parquet", rows[20..], 8)]) { Statistics = AgeStatistics() };
        AssertBags(ReadAll(data.Open(DataPosition.Start, 5)), rows, 5);
        AssertBags(ReadAll(data.Open(new DataPosition(1, 10), 5)), rows[30..], 5);
    }

    [Fact]
    public void Other_delimiters_and_list_separators()
    {
        Row[] rows = MakeRows(30, seed: 5);
        ModelDeclaration declaration = Declaration();
        string tabs = WriteCsv("tags.tsv", rows, '\t', ';');
        AssertBags(ReadAll(new TabularData(declaration, [tabs], '\t') { ListSeparator = ';', Statistics = AgeStatistics() }.Open(DataPosition.Start, 8)), rows, 8);
        // A '|'-delimited file's lists are ','-separated unless told otherwise.
        Row[] plain = rows.Select(r => r with { User = r.User.Replace('|', '_') }).ToArray();
        string pipes = WriteCsv("tags.txt", plain, '|', ',');
        var data = new TabularData(declaration, [pipes], '|') { Statistics = AgeStatistics() };
        Assert.Equal(',', data.ResolvedListSeparator);
        AssertBags(ReadAll(data.Open(DataPosition.Start, 8)), plain, 8);
        Assert.Throws<ArgumentException>(() => new TabularData(declaration, [pipes], '|') { ListSeparator = '|' });
        Assert.Throws<ArgumentException>(() => new TabularData(declaration, [pipes]) { ListSeparator = '"' });
    }

    [Fact]
    public void Empty_cells_quoted_lists_and_ids_as_written()
    {
        string path = _temp.File("edge.csv");
        File.WriteAllText(path, Header + "\n" +
            "1,1,30,0,u,c,,\n" +                       // empty tags and genres: empty bags
            "0,1,30,0,u,c,\"\",\"5\"\n" +              // quoted empty list, quoted one-id list
            "1,1,30,0,a|b,c,\"a,b|c\", 7|8|7\n");      // a separator in a single-hot cell is part of its id; a comma inside a quoted list; ' 7' is text
        var data = new TabularData(Declaration(), [path]) { Statistics = AgeStatistics() };
        BatchSnapshot b = Assert.Single(ReadAll(data.Open(DataPosition.Start, 10)));
        ulong[] Cell(int row, int table) => b.Ids[b.Offsets[row * 4 + table]..b.Offsets[row * 4 + table + 1]];
        Assert.Empty(Cell(0, 2));
        Assert.Empty(Cell(0, 3));
        Assert.Empty(Cell(1, 2));
        Assert.Equal([5UL], Cell(1, 3));
        Assert.Equal([TokenOf("a|b")], Cell(2, 0));
        Assert.Equal([TokenOf("a,b"), TokenOf("c")], Cell(2, 2));
        Assert.Equal([TokenOf(" 7"), 8UL, 7UL], Cell(2, 3));
    }

    [Theory]
    [InlineData("a||b", "id 2 of the list 'a||b' is empty")]
    [InlineData("a|", "id 2 of the list 'a|' is empty")]
    [InlineData("[1|2]", "id 1 of the list '[1|2]': a list value")]
    public void A_bad_list_names_the_file_the_line_and_the_column(string tags, string reason)
    {
        string path = _temp.File("bad.csv");
        File.WriteAllText(path, $"{Header}\n1,1,30,0,u,c,a|b,1\n1,1,30,0,u,c,{tags},1\n");
        var data = new TabularData(Declaration(), [path]) { Statistics = AgeStatistics() };
        var e = Assert.Throws<DataFormatException>(() => ReadAll(data.Open(DataPosition.Start, 10)));
        Assert.Equal((3L, "tags", 7), (e.Line, e.Field, e.Column));
        Assert.StartsWith($"{path}, line 3, field tags (column 7): ", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_single_hot_column_keeps_its_rules_in_a_multi_hot_model()
    {
        string path = _temp.File("single.csv");
        File.WriteAllText(path, $"{Header}\n1,1,30,0,\"[1,2]\",c,a,1\n");
        var data = new TabularData(Declaration(), [path]) { Statistics = AgeStatistics() };
        var e = Assert.Throws<DataFormatException>(() => ReadAll(data.Open(DataPosition.Start, 10)));
        Assert.Equal((2L, "user_id", 5), (e.Line, e.Field, e.Column));
        Assert.Contains("this column holds one value per cell", e.Message);
    }

    /// <summary>A Parquet file of the model's columns where tags and genres have the given column types and values.</summary>
    private string WriteParquet<TTags, TGenres>(string name, TTags[] tags, TGenres[] genres, string userName = "user_id")
    {
        string path = _temp.File(name);
        var columns = new Column[]
        {
            new Column<int>("clicked"), new Column<double>("price"), new Column<double>("age"), new Column<double>("score"),
            new Column<string>(userName), new Column<string>("country"), new Column<TTags>("tags"), new Column<TGenres>("genres"),
        };
        int n = tags.Length;
        using (var writer = new ParquetFileWriter(path, columns))
        {
            using (RowGroupWriter g = writer.AppendRowGroup())
            {
                using (var c = g.NextColumn().LogicalWriter<int>()) c.WriteBatch(new int[n]);
                for (int i = 0; i < 3; i++) using (var c = g.NextColumn().LogicalWriter<double>()) c.WriteBatch(Enumerable.Repeat(30.0, n).ToArray());
                for (int i = 0; i < 2; i++) using (var c = g.NextColumn().LogicalWriter<string>()) c.WriteBatch(Enumerable.Repeat("x", n).ToArray());
                using (var c = g.NextColumn().LogicalWriter<TTags>()) c.WriteBatch(tags);
                using (var c = g.NextColumn().LogicalWriter<TGenres>()) c.WriteBatch(genres);
            }
            writer.Close();
        }
        return path;
    }

    private DataFormatException ParquetError(string path, ModelDeclaration? declaration = null)
    {
        var data = new TabularData(declaration ?? Declaration(), [path]) { Statistics = AgeStatistics() };
        return Assert.Throws<DataFormatException>(() => ReadAll(data.Open(DataPosition.Start, 10)));
    }

    [Fact]
    public void Parquet_lists_of_int32_and_nullable_elements_read_and_a_null_element_names_the_row()
    {
        string ints = WriteParquet("ints.parquet", new string[]?[] { ["a"], null, [] }, new int?[]?[] { [1, 2], null, [3] });
        var data = new TabularData(Declaration(), [ints]) { Statistics = AgeStatistics() };
        BatchSnapshot b = Assert.Single(ReadAll(data.Open(DataPosition.Start, 10)));
        Assert.Equal([0, 1, 2, 3, 5, 6, 7, 7, 7, 8, 9, 9, 10], b.Offsets);
        Assert.Equal([TokenOf("x"), TokenOf("x"), TokenOf("a"), 1UL, 2UL, TokenOf("x"), TokenOf("x"), TokenOf("x"), TokenOf("x"), 3UL], b.Ids);

        string nulls = WriteParquet("nulls.parquet", new string[]?[] { ["a"], ["b", null!] }, new long[]?[] { [1], [2] });
        DataFormatException e = ParquetError(nulls);
        Assert.Equal((2L, "tags", 7), (e.Line, e.Field, e.Column));
        Assert.StartsWith($"{nulls}, row 2, field tags (column 7): element 2 of the list is null", e.Message);
    }

    [Fact]
    public void Parquet_schema_mismatches_name_the_file_the_column_and_what_was_expected()
    {
        string flat = WriteParquet("flat.parquet", new[] { "a" }, new long[]?[] { [1] });
        DataFormatException e = ParquetError(flat);
        Assert.Equal(("tags", 7), (e.Field, e.Column));
        Assert.StartsWith($"{flat}, field tags (column 7): column 'tags' is String: it holds one value per row, not a LIST; the model reads it as multi-hot (Pooling = Sum)", e.Message);

        string doubles = WriteParquet("doubles.parquet", new string[]?[] { ["a"] }, new double[]?[] { [1.5] });
        e = ParquetError(doubles);
        Assert.Equal("genres", e.Field);
        Assert.StartsWith($"{doubles}, field genres (column 8): column 'genres' is a LIST of Double: its elements are not int32, int64 or strings", e.Message);
        Assert.Contains("a LIST of int32, int64 or strings per row", e.Message);

        // A list where the model reads one value: a single-hot table, and a dense column.
        string listUser = _temp.File("list-user.parquet");
        var columns = new Column[]
        {
            new Column<int>("clicked"), new Column<double>("price"), new Column<double[]>("age"), new Column<double>("score"),
            new Column<long[]>("user_id"), new Column<string>("country"),
        };
        using (var writer = new ParquetFileWriter(listUser, columns))
        {
            using (RowGroupWriter g = writer.AppendRowGroup())
            {
                using (var c = g.NextColumn().LogicalWriter<int>()) c.WriteBatch([1]);
                using (var c = g.NextColumn().LogicalWriter<double>()) c.WriteBatch([1.0]);
                using (var c = g.NextColumn().LogicalWriter<double[]>()) c.WriteBatch([[1.0]]);
                using (var c = g.NextColumn().LogicalWriter<double>()) c.WriteBatch([1.0]);
                using (var c = g.NextColumn().LogicalWriter<long[]>()) c.WriteBatch([[1L, 2L]]);
                using (var c = g.NextColumn().LogicalWriter<string>()) c.WriteBatch(["x"]);
            }
            writer.Close();
        }
        e = ParquetError(listUser, ShopClicks.Declaration);
        Assert.StartsWith($"{listUser}, field age (column 3): column 'age' is a LIST of Double (multi-hot); the model reads it as a dense input, one value per row", e.Message);
        var noAge = new ModelDeclaration("NoAge", 0, ShopClicks.Declaration.EmbeddingDim, [4], [8], TokenKind.RawId, 512, 2, RobeVariant.Authors,
            ShopClicks.Declaration.Tables, "no-age", "clicked", []);
        e = ParquetError(listUser, noAge);
        Assert.StartsWith($"{listUser}, field user_id (column 5): column 'user_id' is a LIST of Int64 (multi-hot); the model reads it as single-hot "
            + "(declare the table with Pooling = Sum or Mean to read lists), one value per row", e.Message);
    }

    [Fact]
    public void Full_tables_count_and_map_every_id_of_a_bag()
    {
        Row[] rows = MakeRows(5000, seed: 13);
        ModelDeclaration declaration = Declaration(EmbeddingStorage.Full);
        var data = new TabularData(declaration, [WriteParquet("v.parquet", rows, 3000)]) { Statistics = AgeStatistics() };
        Vocabulary vocabulary = data.BuildVocabulary(minCount: 2);
        // genres is table 3: ids seen at least twice, over every bag, sorted.
        var counts = rows.SelectMany(r => r.Genres ?? []).GroupBy(g => (ulong)g).Where(g => g.Count() >= 2).Select(g => g.Key).Order().ToArray();
        Assert.Equal(counts, vocabulary.Ids(3).ToArray());
        var tagCounts = rows.SelectMany(r => r.Tags ?? []).Select(TokenOf).GroupBy(t => t).Where(g => g.Count() >= 2).Select(g => g.Key).Order().ToArray();
        Assert.Equal(tagCounts, vocabulary.Ids(2).ToArray());

        var mapper = VocabularyMapper.ForAllTables(vocabulary, declaration);
        // One batch of every row (>= 4096 rows: the mapper maps the tables in parallel) against a per-id lookup.
        List<BatchSnapshot> batches = ReadAll(data.WithVocabulary(mapper).Open(DataPosition.Start, rows.Length));
        BatchSnapshot b = Assert.Single(batches);
        for (int r = 0; r < rows.Length; r++)
        {
            ulong[][] cells = ExpectedCells(rows[r]);
            for (int t = 0; t < cells.Length; t++)
            {
                int cell = r * cells.Length + t;
                ulong[] expected = cells[t].Select(id => (ulong)Math.Max(0, Array.BinarySearch(vocabulary.Ids(t).ToArray(), id) + 1)).ToArray();
                Assert.Equal(expected, b.Ids[b.Offsets[cell]..b.Offsets[cell + 1]]);
            }
        }
    }

    [Fact]
    public void A_copy_of_the_first_rows_keeps_their_bags()
    {
        Row[] rows = MakeRows(20, seed: 17);
        var data = new TabularData(Declaration(), [WriteCsv("copy.csv", rows)]) { Statistics = AgeStatistics() };
        using IBatchCursor cursor = data.Open(DataPosition.Start, 20);
        Assert.True(cursor.MoveNext());
        Batch copy = BagWriter.CopyRows(cursor.Current, 7);
        Assert.Equal(7, copy.Count);
        AssertBags([Copy(copy)], rows[..7], 7);
    }

    [Fact]
    public void Criteo_tsv_is_refused_for_a_multi_hot_model_naming_the_column()
    {
        ModelDeclaration kaggle = CriteoKaggle.Definition.Declaration;
        ModelDeclaration multiHot = WithTables(kaggle, kaggle.Tables.SetItem(2, kaggle.Tables[2] with { Pooling = Pooling.Sum }));
        string path = _temp.File("day.tsv");
        File.WriteAllText(path, "1" + new string('\t', 39) + "\n");
        var e = Assert.Throws<ArgumentException>(() => new CriteoTrainingData([path]).ForModel(multiHot));
        Assert.Contains("reads column C3 as multi-hot (Pooling = Sum); Criteo TSV holds one id per cell", e.Message);
    }

    public void Dispose() => _temp.Dispose();
}
