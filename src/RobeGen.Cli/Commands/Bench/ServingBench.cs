using System.Diagnostics;
using System.Globalization;
using RobeGen.Backends;
using RobeGen.Benchmarking;
using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Serving;
using RobeGen.Training;

namespace RobeGen.Cli.Commands.Bench;

/// <summary>
/// <c>robegen bench --serving</c>: a freshly initialized model saved as a checkpoint and served by <see cref="Predictor"/>
/// (on CUDA: dynamic batching), as an application would. Latency of one caller's requests of 1, 64 and 1,024 rows
/// (wall clock per request, p50 and p99), then predictions/s with 64 concurrent callers.
/// </summary>
internal static class ServingBench
{
    public static void Run(IDlrmDefinition definition, ModelOptions options, double seconds)
    {
        string path = Path.Combine(Path.GetTempPath(), $"robegen-serving-{Environment.ProcessId}.rgck");
        try
        {
            using (IDlrmBackend model = Dlrm.Create(definition, options))
                ModelCheckpoint.Save(path, model, options, new TrainingProgressState(0, 0, DataPosition.Start, 0));
            using var predictor = Predictor.Load(path, definition, options);
            string name = definition.Declaration.Name.Split('.')[^1];
            Console.WriteLine($"serving {name} on {predictor.DeviceName}, {options.Precision}, up to {options.MaxBatchSize:N0} rows per device batch " +
                $"(max batching delay {Predictor.DefaultMaxBatchDelay.TotalMicroseconds:0} us)");
            foreach (int rows in new[] { 1, 64, 1024 })
            {
                Batch batch = SyntheticBatches.Create(definition.Declaration, rows, seed: 3);
                var probabilities = new float[rows];
                for (int i = 0; i < 20; i++) predictor.Predict(batch, probabilities);
                var latencies = new List<double>();
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < seconds / 4 || latencies.Count < 50)
                {
                    long start = Stopwatch.GetTimestamp();
                    predictor.Predict(batch, probabilities);
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }
                latencies.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  one caller, {rows,5} rows per request: p50 {Percentile(latencies, 50),9:0.0} us, p99 {Percentile(latencies, 99),9:0.0} us ({latencies.Count:N0} requests)"));
            }
            foreach (int rows in new[] { 1, 64, 1024 })
            {
                const int callers = 64;
                long predicted = 0;
                var stop = Stopwatch.StartNew();
                var threads = Enumerable.Range(0, callers).Select(c => new Thread(() =>
                {
                    Batch batch = SyntheticBatches.Create(definition.Declaration, rows, seed: 10 + c);
                    var probabilities = new float[rows];
                    long mine = 0;
                    while (stop.Elapsed.TotalSeconds < seconds / 2)
                    {
                        predictor.Predict(batch, probabilities);
                        mine += rows;
                    }
                    Interlocked.Add(ref predicted, mine);
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {callers} callers, {rows,5} rows per request: {predicted / stop.Elapsed.TotalSeconds,14:N0} predictions/s (wall clock)"));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
}
