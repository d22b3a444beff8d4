using System.Diagnostics;
using System.Globalization;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Lab.Benchmarking;
using RobeGen.Serving;
using RobeGen.Training;

namespace RobeGen.Cli.Commands.Bench;

/// <summary>
/// <c>robegen bench --serving</c>: a freshly initialized model served through the dynamic batcher that
/// <see cref="Predictor"/> puts in front of a CUDA model (on the CPU: one call at a time). Latency of one caller's
/// requests of 1, 64 and 1,024 rows (wall clock per request, p50 and p99), then predictions/s with 64 concurrent callers.
/// </summary>
internal static class ServingBench
{
    public static void Run(IDlrmDefinition definition, ModelOptions options, double seconds)
    {
        {
            using IDlrmBackend model = Dlrm.Create(definition, options);
            using var batcher = model is IQueuedPrediction ? new DynamicBatcher(model, options.MaxBatchSize, Predictor.DefaultMaxBatchDelay) : null;
            var gate = new object();
            var predictor = new Serve((batch, p) =>
            {
                if (batcher is not null) batcher.Predict(batch, p);
                else lock (gate) model.Predict(batch, p);
            });
            string name = definition.Declaration.Name.Split('.')[^1];
            Console.WriteLine($"serving {name} on {model.DeviceName}, {options.Precision}, up to {options.MaxBatchSize:N0} rows per device batch " +
                (batcher is null ? "(one call at a time)" : $"(dynamic batching, max delay {Predictor.DefaultMaxBatchDelay.TotalMicroseconds:0} us)"));
            foreach (int rows in new[] { 1, 64, 1024 })
            {
                Batch batch = SyntheticBatches.Create(definition.Declaration, rows, seed: 3);
                var probabilities = new float[rows];
                for (int i = 0; i < 20; i++) predictor(batch, probabilities);
                var latencies = new List<double>();
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < seconds / 4 || latencies.Count < 50)
                {
                    long start = Stopwatch.GetTimestamp();
                    predictor(batch, probabilities);
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }
                latencies.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  one caller, {rows,5} rows per request: p50 {Percentile(latencies, 50),9:0.0} us, " +
                    $"p99 {Percentile(latencies, 99),9:0.0} us ({latencies.Count:N0} requests)"));
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
                        predictor(batch, probabilities);
                        mine += rows;
                    }
                    Interlocked.Add(ref predicted, mine);
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
                string batches = batcher is null ? "" : string.Create(CultureInfo.InvariantCulture,
                    $", mean device batch {batcher.RowsSent / (double)Math.Max(1, batcher.BatchesSent):N0} rows");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {callers} callers, {rows,5} rows per request: {predicted / stop.Elapsed.TotalSeconds,14:N0} predictions/s (wall clock){batches}"));
            }
        }
    }

    private delegate void Serve(Batch batch, Span<float> probabilities);

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
}
