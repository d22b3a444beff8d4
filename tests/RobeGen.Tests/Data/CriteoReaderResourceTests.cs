using RobeGen.Data;

namespace RobeGen.Tests.Data;

[CollectionDefinition(nameof(AllocationSensitive), DisableParallelization = true)]
public sealed class AllocationSensitive;

/// <summary>Steady-state allocation and shutdown of the reader pipeline (alone, so other tests' allocations do not count).</summary>
[Collection(nameof(AllocationSensitive))]
public class CriteoReaderResourceTests
{
    private static string WriteRows(TempFolder temp, int rows)
    {
        string line = "1\t5\t\t-1\t0\t4095\t4096\t12\t1\t2\t3\t4\t5\t6\t" + string.Join("\t", Enumerable.Range(0, 26).Select(i => (0x1000 * i + 7).ToString("x8")));
        string path = temp.File("rows.tsv");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat(line + "\n", rows)));
        return path;
    }

    [Fact]
    public void Reading_allocates_nothing_per_batch_once_warm()
    {
        using var temp = new TempFolder();
        string path = WriteRows(temp, 60_000);
        using var reader = CriteoReader.Open(path, CriteoLayout.Labeled, new CriteoReaderOptions { BatchSize = 100, ParserThreads = 2, BatchesInFlight = 4 });
        for (int i = 0; i < 50; i++) Assert.True(reader.MoveNext());
        // The test host allocates on its own threads now and then, so take the quietest of several windows:
        // an allocation per batch would show in every window (>= 150 x 24 bytes).
        var windows = new List<long>();
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 150; i++) Assert.True(reader.MoveNext());
            windows.Add(GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        Assert.True(windows.Min() < 2_000, $"bytes allocated per 150 batches: {string.Join(", ", windows)}");
    }

    [Fact]
    public async Task Disposing_mid_stream_stops_every_thread()
    {
        using var temp = new TempFolder();
        string path = WriteRows(temp, 50_000);
        var reader = CriteoReader.Open(path, CriteoLayout.Labeled, new CriteoReaderOptions { BatchSize = 64, ParserThreads = 3 });
        Assert.True(reader.MoveNext());
        // A thread of its own: a pool item can wait for a thread on a loaded CI machine long enough to look like a hang.
        var dispose = Task.Factory.StartNew(reader.Dispose, TaskCreationOptions.LongRunning);
        await dispose.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Throws<ObjectDisposedException>(() => reader.MoveNext());
    }
}
