using System.Diagnostics;
using System.Globalization;
using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Devices;
using RobeGen.Models;
using RobeGen.Training;

namespace RobeGen.Benchmarks;

/// <summary>
/// Parquet beside TSV in one run, on the same rows (the 1TB day-0 sample listed <c>--repeat</c> times, as one plain TSV
/// file in RAM and as the Parquet file <c>robegen convert</c> writes of it): rows/s of reading the Kaggle model's
/// batches, and of training that model on the CPU for one epoch; then the two .NET Parquet libraries reading every
/// column of the Parquet file (why RobeGen uses ParquetSharp). Reading Parquet is measured with each of
/// <c>--decode-threads</c> (TabularData.DecodeThreads; 0 = automatic, 1 = one thread); <c>--read-only</c> leaves out training
/// and the libraries.
/// </summary>
internal static class ParquetBenchmark
{
    public static int Run(string[] args)
    {
        string? file = ParseBenchmark.Option(args, "--file") ?? ParseBenchmark.FindSample();
        if (file is null)
        {
            Console.Error.WriteLine("criteo_1tb_day0_head10k.tsv.gz not found; pass --file PATH.");
            return 2;
        }
        int repeat = int.Parse(ParseBenchmark.Option(args, "--repeat") ?? "20", CultureInfo.InvariantCulture);
        int batch = int.Parse(ParseBenchmark.Option(args, "--batch") ?? "2048", CultureInfo.InvariantCulture);
        int[] decodeThreads = (ParseBenchmark.Option(args, "--decode-threads") ?? "0").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Distinct().ToArray();
        bool readOnly = args.Contains("--read-only");
        string once = ParseBenchmark.DecompressToRam(file);
        string tsv = once + ".x" + repeat.ToString(CultureInfo.InvariantCulture);
        string parquet = tsv + ".parquet";
        try
        {
            using (FileStream output = File.Create(tsv))
                for (int i = 0; i < repeat; i++) using (FileStream input = File.OpenRead(once)) input.CopyTo(output);
            var clock = Stopwatch.StartNew();
            long rows = CriteoParquetConverter.Convert([tsv], parquet);
            Console.WriteLine($"Parquet vs TSV: {Path.GetFileName(file)} x {repeat} = {rows:N0} rows; TSV {new FileInfo(tsv).Length / 1e6:F1} MB (plain, in RAM), " +
                $"Parquet {new FileInfo(parquet).Length / 1e6:F1} MB (converted in {clock.Elapsed.TotalSeconds:F1} s); batch {batch}; " +
                $"{Environment.ProcessorCount} logical cores; .NET {Environment.Version}");

            ModelDeclaration kaggle = CriteoKaggle.Declaration;
            ITrainingData fromTsv = new CriteoTrainingData([tsv]).ForModel(kaggle);
            ITrainingData fromParquet = TabularData.Open(kaggle, parquet);
            Console.WriteLine($"{"what",-34} {"TSV rows/s",12} {"Parquet rows/s",15} {"Parquet/TSV",12}");
            double tsvRead = Best(3, () => Read(fromTsv, batch));
            foreach (int threads in decodeThreads)
            {
                var data = new TabularData(kaggle, [parquet]) { DecodeThreads = threads };
                Report($"read the Kaggle batches, {(threads == 0 ? "auto" : threads.ToString(CultureInfo.InvariantCulture))} thr", tsvRead, Best(3, () => Read(data, batch)), rows);
            }
            if (readOnly) return 0;
            Report("train CriteoKaggle, CPU, 1 epoch", Train(fromTsv, batch), Train(fromParquet, batch), rows);

            Console.WriteLine($"{"library: every column of the file",-34} {"rows/s",12}");
            double sharp = Best(3, () => ParquetLibraries.ReadWithParquetSharp(parquet));
            double net = Best(3, () => ParquetLibraries.ReadWithParquetNet(parquet));
            Console.WriteLine(FormattableString.Invariant($"{"ParquetSharp 25.0.1.2",-34} {rows / sharp,12:N0}"));
            Console.WriteLine(FormattableString.Invariant($"{"Parquet.Net 6.1.0",-34} {rows / net,12:N0}"));
        }
        finally
        {
            foreach (string f in new[] { once, tsv, parquet }) File.Delete(f);
        }
        return 0;
    }

    private static void Report(string what, double tsvSeconds, double parquetSeconds, long rows) =>
        Console.WriteLine(FormattableString.Invariant($"{what,-34} {rows / tsvSeconds,12:N0} {rows / parquetSeconds,15:N0} {tsvSeconds / parquetSeconds,12:F2}"));

    private static double Best(int rounds, Func<double> measure) => Enumerable.Range(0, rounds).Min(_ => measure());

    private static double Read(ITrainingData data, int batch)
    {
        var clock = Stopwatch.StartNew();
        double checksum = 0;
        using IBatchCursor cursor = data.Open(DataPosition.Start, batch);
        while (cursor.MoveNext()) checksum += cursor.Current.Labels[0];
        if (checksum < 0) Console.WriteLine(checksum);
        return clock.Elapsed.TotalSeconds;
    }

    private static double Train(ITrainingData data, int batch)
    {
        var options = new ModelOptions { Seed = 1, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = batch, Device = DeviceKind.Cpu };
        using IDlrmBackend model = Dlrm.Create(CriteoKaggle.Definition, options);
        var training = new TrainingOptions { Epochs = 1, BatchSize = batch, LearningRate = LearningRateSchedule.Constant(0.01f), ParameterCheckEverySteps = 0 };
        var clock = Stopwatch.StartNew();
        new Trainer(model, training).Train(data);
        return clock.Elapsed.TotalSeconds;
    }
}
