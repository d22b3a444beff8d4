using System.Text;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Data.Tabular;

/// <summary>
/// CSV and Parquet files read several at once (TabularData.FilesAtOnce): the batches go round the lanes (lane k: files
/// k, k + n, ...) one from each as a slow obvious reference orders the rows, every saved position resumes with exactly
/// the batches that followed it, and a saved in-order position goes on in order.
/// </summary>
public sealed class InterleavedTabularTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private static readonly int[] RowsPerFile = [700, 250, 1_100, 40];
    private const int BatchSize = 128;

    public void Dispose() => _temp.Dispose();

    /// <summary>ShopClicks files whose user_id is the row's number (a decimal id is its own token), numbers continuing across files.</summary>
    private string[] WriteFiles()
    {
        int row = 0;
        var files = new string[RowsPerFile.Length];
        for (int f = 0; f < files.Length; f++)
        {
            var text = new StringBuilder("clicked,price,age,score,user_id,country\n");
            for (int i = 0; i < RowsPerFile[f]; i++, row++) text.Append($"{row % 2},{row % 13},{20 + row % 50},0.5,{row},c{row % 3}\n");
            files[f] = _temp.File($"part{f}.csv");
            File.WriteAllText(files[f], text.ToString());
        }
        return files;
    }

    private static List<long[]> ReadRows(TabularData data, DataPosition start, List<DataPosition>? positions = null)
    {
        var batches = new List<long[]>();
        using IBatchCursor cursor = data.Open(start, BatchSize);
        while (cursor.MoveNext())
        {
            Batch b = cursor.Current;
            batches.Add(Enumerable.Range(0, b.Count).Select(r => (long)b.Tokens[r * b.Tables]).ToArray());
            positions?.Add(cursor.Position);
        }
        return batches;
    }

    /// <summary>Each lane's rows in its files' order, then batches round the lanes, ended lanes skipped.</summary>
    private static List<long[]> Reference(int lanes)
    {
        var laneRows = Enumerable.Range(0, lanes).Select(_ => new List<long>()).ToArray();
        long first = 0;
        for (int f = 0; f < RowsPerFile.Length; first += RowsPerFile[f], f++)
            for (long r = 0; r < RowsPerFile[f]; r++) laneRows[f % lanes].Add(first + r);
        var batches = new List<long[]>();
        var taken = new int[lanes];
        for (int lane = 0; Enumerable.Range(0, lanes).Any(k => taken[k] < laneRows[k].Count); lane = (lane + 1) % lanes)
        {
            int n = Math.Min(BatchSize, laneRows[lane].Count - taken[lane]);
            if (n == 0) continue;
            batches.Add(laneRows[lane].GetRange(taken[lane], n).ToArray());
            taken[lane] += n;
        }
        return batches;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)]
    public void Batches_go_round_the_files_and_every_position_resumes_exactly(int lanes)
    {
        var data = new TabularData(ShopClicks.Declaration, WriteFiles()) { FilesAtOnce = lanes };
        var positions = new List<DataPosition>();
        List<long[]> all = ReadRows(data, DataPosition.Start, positions);
        Assert.Equal(Reference(lanes), all);
        for (int i = 0; i < all.Count; i++)
        {
            Assert.NotNull(positions[i].Interleaved);
            // Data read in order now still resumes the saved lanes.
            var inOrder = new TabularData(ShopClicks.Declaration, data.Files) { Statistics = data.ResolvedStatistics };
            Assert.Equal(all.Skip(i + 1), ReadRows(inOrder, positions[i]));
        }
    }

    [Fact]
    public void A_saved_in_order_position_goes_on_in_order_and_one_file_at_a_time_is_the_default()
    {
        var data = new TabularData(ShopClicks.Declaration, WriteFiles()) { FilesAtOnce = 2 };
        List<long[]> rest = ReadRows(data, new DataPosition(0, 650));
        Assert.Equal(Enumerable.Range(650, BatchSize).Select(r => (long)r), rest[0]);
        Assert.Equal(1, new TabularData(ShopClicks.Declaration, data.Files).FilesAtOnce);
        Assert.Equal(Enumerable.Range(0, 2_090).Select(r => (long)r), ReadRows(new TabularData(ShopClicks.Declaration, data.Files), DataPosition.Start).SelectMany(b => b));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TabularData(ShopClicks.Declaration, data.Files) { FilesAtOnce = -1 });
    }
}
