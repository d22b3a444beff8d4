using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Tests.Models;
using static RobeGen.Tests.Data.Tabular.ParallelParquetReaderTests;

namespace RobeGen.Tests.Data.Tabular;

/// <summary>
/// Files opened ahead of the run (<see cref="TabularData.OpenAhead(int)"/>, which <c>robegen train</c> calls while it builds
/// the model) give the batches, positions and errors of files opened when the cursor reaches them: one file or several
/// read at once, any decode threads, through a copy of the data; a bad cell or an unreadable file is reported with its
/// file, row and column after the same batches, and a file no read reaches reports nothing.
/// </summary>
public sealed class OpenAheadTests : IDisposable
{
    private const int Rows = 500;
    private readonly TempFolder _temp = new();

    private string[] WriteFiles(int count, Func<int, Row[], Row[]>? change = null) =>
        Enumerable.Range(0, count).Select(i => Write(_temp.File($"part{i}.parquet"), change?.Invoke(i, MakeRows(Rows + 37 * i)) ?? MakeRows(Rows + 37 * i))).ToArray();

    private static TabularData Data(string[] files, int filesAtOnce, int threads) =>
        new(ShopClicks.Declaration, files) { Statistics = AgeStatistics(), FilesAtOnce = filesAtOnce, DecodeThreads = threads };

    /// <summary>Every batch and the position after it, then the error that ended the read (null when none).</summary>
    private static (List<string> Batches, string? Error) Read(TabularData data, int batchSize)
    {
        var batches = new List<string>();
        try
        {
            using IBatchCursor cursor = data.Open(DataPosition.Start, batchSize);
            while (cursor.MoveNext()) batches.Add(Snapshot(cursor.Current, cursor.Position));
            return (batches, null);
        }
        catch (DataFormatException e)
        {
            return (batches, e.Message);
        }
    }

    private static void AssertSame((List<string> Batches, string? Error) expected, (List<string> Batches, string? Error) actual)
    {
        Assert.Equal(expected.Batches, actual.Batches);
        Assert.Equal(expected.Error, actual.Error);
    }

    private static (List<string> Batches, string? Error) ReadOpenedAhead(TabularData data, int batchSize)
    {
        using IDisposable ahead = data.OpenAhead(batchSize);
        // As train does: the cursor is opened on a copy made after the files were opened ahead.
        return Read(data.WithVocabulary(null, data.ResolvedStatistics), batchSize);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 3)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    public void Files_opened_ahead_give_the_batches_and_positions_of_files_opened_when_reached(int filesAtOnce, int threads)
    {
        string[] files = WriteFiles(4);
        foreach (int batchSize in new[] { 64, 4096 })
        {
            (List<string> Batches, string? Error) expected = Read(Data(files, filesAtOnce, threads), batchSize);
            Assert.Null(expected.Error);
            AssertSame(expected, ReadOpenedAhead(Data(files, filesAtOnce, threads), batchSize));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_bad_cell_in_a_file_opened_ahead_is_named_after_the_batches_before_it(int threads)
    {
        string[] files = WriteFiles(2, (i, rows) => i == 1 ? rows.Select((r, k) => k == 130 ? r with { Price = double.NaN } : r).ToArray() : rows);
        (List<string> Batches, string? Error) expected = Read(Data(files, 2, threads), 50);
        Assert.StartsWith($"{files[1]}, row 131, field price (column 2): not a finite number", expected.Error);
        AssertSame(expected, ReadOpenedAhead(Data(files, 2, threads), 50));
    }

    [Fact]
    public void An_unreadable_file_opened_ahead_is_named_when_the_read_reaches_it()
    {
        string[] files = WriteFiles(2);
        File.WriteAllBytes(files[1], [.. "PAR1"u8, 1, 2, 3, 4, 5, 6, 7, 8, .. "PAR1"u8]);
        (List<string> Batches, string? Error) expected = Read(Data(files, 2, 2), 100);
        Assert.Single(expected.Batches); // lane 0's first batch, then lane 1 opens the damaged file
        Assert.StartsWith($"{files[1]}: not a readable Parquet file", expected.Error);
        AssertSame(expected, ReadOpenedAhead(Data(files, 2, 2), 100));
    }

    [Fact]
    public void A_file_opened_ahead_that_no_read_reaches_reports_nothing_and_is_closed()
    {
        string[] files = WriteFiles(2);
        File.WriteAllText(files[1], "not parquet");
        TabularData data = Data(files, 2, 2);
        data.OpenAhead(64).Dispose();
        File.Delete(files[0]); // closed: nothing holds it open (and on every system it can be deleted)
        Assert.False(File.Exists(files[0]));
    }

    [Fact]
    public void Data_with_other_statistics_or_from_a_saved_position_opens_its_files_itself()
    {
        string[] files = WriteFiles(1);
        TabularData data = Data(files, 1, 2);
        using IDisposable ahead = data.OpenAhead(64);
        // Other statistics standardize otherwise: the file opened ahead is not theirs.
        TabularData other = data.WithVocabulary(null, DenseStatistics.FromSums(new Dictionary<string, (long, double, double)> { ["age"] = (2, 60, 2000) }));
        AssertSame(Read(Data(files, 1, 2).WithVocabulary(null, other.ResolvedStatistics), 64), Read(other, 64));
        var resumed = new List<string>();
        using (IBatchCursor cursor = data.Open(new DataPosition(0, 130), 64))
            while (cursor.MoveNext()) resumed.Add(Snapshot(cursor.Current, cursor.Position));
        Assert.Equal(Read(Data(files, 1, 2), 64).Batches.Count, resumed.Count + 2); // rows 130.. in batches of 64: two fewer
        AssertSame(Read(Data(files, 1, 2), 64), Read(data, 64)); // the file opened ahead is still there for a pass from the start
    }

    public void Dispose() => _temp.Dispose();
}
