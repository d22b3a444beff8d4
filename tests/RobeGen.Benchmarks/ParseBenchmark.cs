using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using RobeGen.Data;

namespace RobeGen.Benchmarks;

/// <summary>
/// Rows per second of the Criteo reader on the 1TB day-0 sample: first from a plain file decompressed beforehand
/// into RAM (a tmpfs or page-cached temp file, so the disk is out of the picture), then from the gzip file itself;
/// each with one parser thread and with every core. The sample is listed <c>--repeat</c> times so a run lasts long
/// enough to time (the reader streams the list like one long file).
/// </summary>
internal static class ParseBenchmark
{
    public static int Run(string[] args)
    {
        string? file = Option(args, "--file") ?? FindSample();
        if (file is null)
        {
            Console.Error.WriteLine("criteo_1tb_day0_head10k.tsv.gz not found (looked for shared/data above the current and binary folders); pass --file PATH.");
            return 2;
        }
        int repeat = int.Parse(Option(args, "--repeat") ?? "100", CultureInfo.InvariantCulture);
        int batch = int.Parse(Option(args, "--batch") ?? "2048", CultureInfo.InvariantCulture);
        int cores = Environment.ProcessorCount;
        int[] threadCounts = (Option(args, "--threads") ?? $"1,{cores}").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Distinct().ToArray();
        // CriteoReaderOptions.InflateThreads: -1 inflates on the reader thread (the old way), 0 = half the cores (at least 2) ahead.
        int[] inflateSettings = (Option(args, "--inflate-threads") ?? "-1,0").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Distinct().ToArray();
        // CriteoReaderOptions.InterleaveFiles for the gzip input: 1 reads the list in order, n >= 2 reads n files at once.
        int[] atOnceSettings = (Option(args, "--files-at-once") ?? "1").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Distinct().ToArray();

        string plain = DecompressToRam(file);
        try
        {
            long plainBytes = new FileInfo(plain).Length * repeat;
            Console.WriteLine($"Criteo parse benchmark: {Path.GetFileName(file)} x {repeat}, batch {batch}, {cores} logical cores, .NET {Environment.Version}");
            Console.WriteLine("rows/CPU-s divides by the CPU time of the whole process (reader, parsers, consumer): the per-core rate, robust to a busy machine.");
            Console.WriteLine($"{"input",-44} {"parser threads",14} {"rows",12} {"seconds",8} {"rows/s",12} {"rows/s/thread",14} {"rows/CPU-s",12} {"MB/s (text)",12}");
            var inputs = inflateSettings.Select(n => ($"plain text in RAM{InflateLabel(n)}", plain, n, 1))
                .Concat(inflateSettings.SelectMany(n => atOnceSettings.Select(k => ($"gzip{InflateLabel(n)}{AtOnceLabel(k)}", file, n, k))));
            foreach ((string label, string path, int inflate, int atOnce) in inputs)
            {
                string[] files = Enumerable.Repeat(path, repeat).ToArray();
                Measure(files, batch, threadCounts[0], inflate, atOnce, out _); // warm-up: JIT, page cache
                foreach (int threads in threadCounts)
                {
                    TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    double seconds = Measure(files, batch, threads, inflate, atOnce, out long rows);
                    double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
                    Console.WriteLine(FormattableString.Invariant(
                        $"{label,-44} {threads,14} {rows,12:N0} {seconds,8:F3} {rows / seconds,12:N0} {rows / seconds / threads,14:N0} {rows / cpuSeconds,12:N0} {plainBytes / seconds / 1e6,12:F1}"));
                }
            }
        }
        finally
        {
            File.Delete(plain);
        }
        return 0;
    }

    private static string InflateLabel(int inflateThreads) => inflateThreads switch
    {
        < 0 => ", read on reader thread",
        0 => $", {Math.Max(2, Environment.ProcessorCount / 2)} files ahead (auto)",
        var n => $", {n} files ahead",
    };

    private static string AtOnceLabel(int atOnce) => atOnce == 1 ? "" : $", {atOnce} files at once";

    private static double Measure(string[] files, int batch, int threads, int inflateThreads, int atOnce, out long rows)
    {
        var stopwatch = Stopwatch.StartNew();
        using var reader = CriteoReader.Open(files, CriteoLayout.Labeled,
            new CriteoReaderOptions { BatchSize = batch, ParserThreads = threads, InflateThreads = inflateThreads, InterleaveFiles = atOnce });
        double checksum = 0;
        while (reader.MoveNext())
            checksum += reader.Current.Labels[0]; // touch the batch so nothing is optimized away
        stopwatch.Stop();
        rows = reader.RowsRead;
        if (checksum < 0) Console.WriteLine(checksum);
        return stopwatch.Elapsed.TotalSeconds;
    }

    internal static string DecompressToRam(string gz)
    {
        string folder = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string plain = Path.Combine(folder, $"robegen-parse-bench-{Environment.ProcessId}.tsv");
        using var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
        using var output = File.Create(plain);
        input.CopyTo(output);
        return plain;
    }

    internal static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    internal static string? FindSample()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data", "criteo_1tb_day0_head10k.tsv.gz");
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}
