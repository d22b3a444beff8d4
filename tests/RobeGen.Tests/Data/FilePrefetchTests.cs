using System.IO.Compression;
using RobeGen.Data;

namespace RobeGen.Tests.Data;

/// <summary>
/// Files read and inflated ahead on background threads (CriteoReaderOptions.InflateThreads) give exactly the batches,
/// positions and errors of a read on the reader thread itself.
/// </summary>
public sealed class FilePrefetchTests
{
    private static string[] WriteFiles(TempFolder temp, int rows, params string[] names) => CriteoTestFiles.Write(temp, rows, names);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Batches_and_positions_are_those_of_a_sequential_read(int inflateThreads)
    {
        using var temp = new TempFolder();
        // 30,000 lines per file: more than the prefetcher's buffers of one file hold, so it waits for the reader.
        string[] files = WriteFiles(temp, 30_000, "a.gz", "b.gz", "c.tsv", "d.gz");
        foreach (DataPosition start in new[] { DataPosition.Start, new DataPosition(1, 12_345) })
        {
            var sequential = new CriteoReaderOptions { BatchSize = 999, ParserThreads = 2, InflateThreads = -1, Start = start };
            var ahead = sequential with { InflateThreads = inflateThreads };
            List<BatchCopy> expected = BatchCopy.ReadAll(files, CriteoLayout.Labeled, sequential);
            Assert.Equal(120_000 - (start.FileIndex * 30_000 + start.Line), expected.Sum(b => b.Count));
            BatchCopy.AssertSame(expected, BatchCopy.ReadAll(files, CriteoLayout.Labeled, ahead));
        }
    }

    [Theory]
    [InlineData(-1, 10, 0)]
    [InlineData(0, 1, 0)] // one file: the reader inflates it itself (a lone read-ahead only adds a copy)
    [InlineData(0, 2, 2)]
    [InlineData(3, 1, 3)]
    public void Auto_reads_ahead_only_where_several_files_are_read(int option, int files, int expected)
    {
        int threads = FilePrefetcher.ThreadsFor(option, files);
        if (option == 0 && files >= 2) Assert.Equal(Math.Min(FilePrefetcher.DefaultAhead, files), threads);
        else Assert.Equal(expected, threads);
        Assert.True(FilePrefetcher.DefaultAhead >= 2);
    }

    [Fact]
    public void A_damaged_gzip_ahead_is_reported_when_the_reader_reaches_it_as_a_sequential_read_reports_it()
    {
        using var temp = new TempFolder();
        string[] files = WriteFiles(temp, 20_000, "a.gz", "b.gz", "c.gz", "d.gz");
        byte[] c = File.ReadAllBytes(files[2]);
        File.WriteAllBytes(files[2], c[..(c.Length / 2)]);

        string Error(int inflateThreads)
        {
            using var reader = CriteoReader.Open(files, CriteoLayout.Labeled, new CriteoReaderOptions { BatchSize = 1000, InflateThreads = inflateThreads });
            long rows = 0;
            var error = Assert.Throws<DataFormatException>(() => { while (reader.MoveNext()) rows += reader.Current.Count; });
            Assert.True(rows >= 40_000, $"only {rows} rows came before the error: the files before the damaged one must be read whole");
            return error.Message;
        }

        string sequential = Error(-1);
        Assert.Contains("c.gz", sequential);
        Assert.Equal(sequential, Error(4));
    }

    [Fact]
    public async Task Disposing_while_files_are_read_ahead_stops_every_thread()
    {
        using var temp = new TempFolder();
        string[] files = WriteFiles(temp, 30_000, "a.gz", "b.gz", "c.gz");
        var reader = CriteoReader.Open(files, CriteoLayout.Labeled, new CriteoReaderOptions { BatchSize = 64, InflateThreads = 3 });
        Assert.True(reader.MoveNext());
        // A thread of its own: a pool item can wait for a thread on a loaded CI machine long enough to look like a hang.
        await Task.Factory.StartNew(reader.Dispose, TaskCreationOptions.LongRunning).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Throws<ObjectDisposedException>(() => reader.MoveNext());
    }
}

/// <summary>Reading gzip files ahead allocates nothing per batch once warm: buffers are recycled within and across files.</summary>
[Collection(nameof(AllocationSensitive))]
public sealed class FilePrefetchAllocationTests
{
    [Fact]
    public void Reading_gzip_files_ahead_allocates_nothing_per_batch_once_warm()
    {
        using var temp = new TempFolder();
        string line = "1\t5\t\t-1\t0\t4095\t4096\t12\t1\t2\t3\t4\t5\t6\t" + string.Join("\t", Enumerable.Range(0, 26).Select(i => (0x1000 * i + 7).ToString("x8")));
        var files = new List<string>();
        for (int f = 0; f < 3; f++)
        {
            string path = temp.File($"rows{f}.gz");
            using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            using (var writer = new StreamWriter(gzip))
                for (int i = 0; i < 40_000; i++) writer.Write(line + "\n");
            files.Add(path);
        }
        using var reader = CriteoReader.Open(files, CriteoLayout.Labeled, new CriteoReaderOptions { BatchSize = 100, ParserThreads = 2, BatchesInFlight = 4, InflateThreads = 2 });
        for (int i = 0; i < 50; i++) Assert.True(reader.MoveNext());
        var windows = new List<long>();
        for (int window = 0; window < 5; window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 150; i++) Assert.True(reader.MoveNext());
            windows.Add(GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        Assert.True(windows.Min() < 2_000, $"bytes allocated per 150 batches: {string.Join(", ", windows)}");
    }
}
