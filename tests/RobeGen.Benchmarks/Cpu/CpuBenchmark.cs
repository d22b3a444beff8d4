using System.Diagnostics;
using System.Globalization;
using RobeGen.Backends;

namespace RobeGen.Benchmarks.Cpu;

/// <summary>
/// `cpu`: RobeGen's CPU backend against a TorchSharp-cpu DLRM with full tables (issue 5's CPU targets), on the
/// Criteo Kaggle model and the same synthetic rows. Each side runs in its own process (libtorch never loads here);
/// their timed rounds alternate, and every ratio is the median of one side's rounds over the other's from this run.
/// </summary>
internal static class CpuBenchmark
{
    private const int TrainBatch = 128, InferBatch = 2048;

    public static int Run(string[] args)
    {
        int rounds = IntOption(args, "--rounds", 5);
        double seconds = double.Parse(Option(args, "--seconds") ?? "1.5", CultureInfo.InvariantCulture);
        int threads = IntOption(args, "--threads", Environment.ProcessorCount);
        int seed = IntOption(args, "--seed", 1);
        const float learningRate = 0.05f;
        bool withTorch = !args.Contains("--no-torch");
        // Development runs of the inference rows alone (no training, latency or memory rows).
        bool inferenceOnly = args.Contains("--inference-only");
        // Development runs of the training row alone (no inference, latency or memory rows).
        bool trainingOnly = args.Contains("--training-only") && !inferenceOnly;

        Console.WriteLine("CPU benchmark: Criteo Kaggle DLRM (dim 16, bottom 13-512-256-64-16, top 367-512-256-1, dot interaction");
        Console.WriteLine("without self pairs), synthetic rows (log-uniform ids over Kaggle's cardinalities), fp32, SGD.");
        Console.WriteLine($"Machine: {CpuModelName()}, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}; " +
            $"{rounds} interleaved rounds of {seconds:0.##} s per side and metric.");

        var options = new ModelOptions { MaxBatchSize = InferBatch, Threads = threads, Optimizer = OptimizerKind.Sgd, Seed = seed };
        using var robe = new RobeGenSide(options, seed, learningRate);
        Console.WriteLine($"RobeGen:    {robe.DeviceName}; ROBE 1000x (m = {robe.Model.Layout.RobeSlots:N0}, Z = {robe.Model.Layout.BlockSize}), " +
            $"{robe.Model.Layout.Size.EmbeddingParameters + robe.Model.Declaration.MlpParameterCount:N0} parameters");
        // The Int8 inference path on the same parameters (the FP32 model's initial state; rates do not depend on the values).
        using var robeInt8 = new RobeGenSide(options with { Precision = Precision.Int8 }, seed, learningRate);
        robeInt8.Model.ImportState(robe.Model.ExportState());
        Console.WriteLine($"RobeGen:    {robeInt8.DeviceName} (int8 rows)");
        using TorchSharpProcess? torch = withTorch ? TorchSharpProcess.Start(Option(args, "--torch"), seed, threads, learningRate) : null;
        if (torch != null) Console.WriteLine($"TorchSharp: {torch.Banner} (full tables)");
        Console.WriteLine();

        // Warm-up: JIT, page faults of the tables, first-use buffers.
        if (!inferenceOnly) { robe.Train(TrainBatch, 0.5); robe.Latency(0.2); robeInt8.Latency(0.2); }
        if (!trainingOnly) { robe.Infer(InferBatch, 0.5); robeInt8.Infer(InferBatch, 0.5); }
        if (!inferenceOnly) { torch?.Train(TrainBatch, 0.5); torch?.Latency(0.2); }
        if (!trainingOnly) torch?.Infer(InferBatch, 0.5);

        var ours = new Results();
        var theirs = new Results();
        for (int r = 0; r < rounds; r++)
        {
            if (!inferenceOnly)
            {
                ours.Train.Add(robe.Train(TrainBatch, seconds));
                if (torch != null) theirs.Train.Add(torch.Train(TrainBatch, seconds));
            }
            if (trainingOnly) continue;
            ours.Infer.Add(robe.Infer(InferBatch, seconds));
            if (torch != null) theirs.Infer.Add(torch.Infer(InferBatch, seconds));
            ours.InferInt8.Add(robeInt8.Infer(InferBatch, seconds));
            if (inferenceOnly) continue;
            ours.Latency.AddRange(robe.Latency(seconds / 2));
            if (torch != null) theirs.Latency.AddRange(torch.Latency(seconds / 2));
            ours.LatencyInt8.AddRange(robeInt8.Latency(seconds / 2));
        }
        if (!inferenceOnly && !trainingOnly)
        {
            ours.PeakBytes = RobeMemoryProbe.MeasureInChild(TrainBatch, threads, seed);
            if (torch != null) theirs.PeakBytes = torch.PeakResidentBytes();
        }

        Print(ours, torch == null ? null : theirs);
        return 0;
    }

    private sealed class Results
    {
        public List<Round> Train { get; } = [];
        public List<Round> Infer { get; } = [];
        public List<Round> InferInt8 { get; } = [];
        public List<double> Latency { get; } = [];
        public List<double> LatencyInt8 { get; } = [];
        public long PeakBytes { get; set; } = -1;
    }

    private static void Print(Results ours, Results? theirs)
    {
        Console.WriteLine($"{"metric",-44} {"RobeGen",12} {"TorchSharp",12} {"ratio",8}  target");
        if (ours.Train.Count > 0)
        {
            Row("training, batch 128: samples/s", ours.Train, theirs?.Train, r => r.SamplesPerSecond, higherIsBetter: true, ">= 2x");
            Row("training, batch 128: samples/CPU-s", ours.Train, theirs?.Train, r => r.SamplesPerCpuSecond, higherIsBetter: true, "(load-robust view)");
        }
        if (ours.Infer.Count == 0) return;
        Row("inference fp32, batch 2048: samples/s", ours.Infer, theirs?.Infer, r => r.SamplesPerSecond, higherIsBetter: true, ">= 1x");
        Row("inference fp32, batch 2048: samples/CPU-s", ours.Infer, theirs?.Infer, r => r.SamplesPerCpuSecond, higherIsBetter: true, "(load-robust view)");
        Row("inference int8, batch 2048: samples/s", ours.InferInt8, theirs?.Infer, r => r.SamplesPerSecond, higherIsBetter: true, ">= 1.5x (vs TorchSharp fp32)");
        Row("inference int8, batch 2048: samples/CPU-s", ours.InferInt8, theirs?.Infer, r => r.SamplesPerCpuSecond, higherIsBetter: true, "(load-robust view)");
        if (ours.Latency.Count > 0)
        {
            Line("single-row prediction p50 (us)", Stats.Percentile(ours.Latency, 50), theirs == null ? double.NaN : Stats.Percentile(theirs.Latency, 50), higherIsBetter: false, "<= 30 us");
            Line("single-row prediction p99 (us)", Stats.Percentile(ours.Latency, 99), theirs == null ? double.NaN : Stats.Percentile(theirs.Latency, 99), higherIsBetter: false, "");
            Line("single-row prediction int8 p50 (us)", Stats.Percentile(ours.LatencyInt8, 50), theirs == null ? double.NaN : Stats.Percentile(theirs.Latency, 50), higherIsBetter: false, "(vs TorchSharp fp32)");
            Line("peak RSS of the training process (MB)", ours.PeakBytes / 1e6, theirs == null ? double.NaN : theirs.PeakBytes / 1e6, higherIsBetter: false, "<= 300 MB (ROBE 1000x)");
        }
        Console.WriteLine();
        Console.WriteLine("RobeGen int8 against RobeGen fp32, same rounds:");
        Line("inference, batch 2048: samples/s", Stats.Median(ours.InferInt8.Select(r => r.SamplesPerSecond)), Stats.Median(ours.Infer.Select(r => r.SamplesPerSecond)), higherIsBetter: true, "int8 / fp32");
        Line("inference, batch 2048: samples/CPU-s", Stats.Median(ours.InferInt8.Select(r => r.SamplesPerCpuSecond)), Stats.Median(ours.Infer.Select(r => r.SamplesPerCpuSecond)), higherIsBetter: true, "int8 / fp32");
        Console.WriteLine();
        Console.WriteLine($"Rounds per side: training {ours.Train.Count}, inference {ours.Infer.Count} (int8 {ours.InferInt8.Count}); single-row predictions timed: RobeGen {ours.Latency.Count:N0}" +
            (theirs == null ? "" : $", TorchSharp {theirs.Latency.Count:N0}") + ".");
        Console.WriteLine("ratio = RobeGen / TorchSharp for rates, TorchSharp / RobeGen for times and memory (above 1 = RobeGen better);");
        Console.WriteLine("in the int8-against-fp32 block the second column is RobeGen fp32.");
        Console.WriteLine("Peak RSS: RobeGen from a fresh process that only builds the model and trains at batch 128; TorchSharp's whole baseline process.");
    }

    private static void Row(string name, List<Round> ours, List<Round>? theirs, Func<Round, double> value, bool higherIsBetter, string target) =>
        Line(name, Stats.Median(ours.Select(value)), theirs is { Count: > 0 } ? Stats.Median(theirs.Select(value)) : double.NaN, higherIsBetter, target);

    private static void Line(string name, double ours, double theirs, bool higherIsBetter, string target)
    {
        double ratio = higherIsBetter ? ours / theirs : theirs / ours;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-44} {ours,12:#,0.0} {(double.IsNaN(theirs) ? "-" : theirs.ToString("#,0.0", CultureInfo.InvariantCulture)),12} {(double.IsNaN(ratio) ? "-" : ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x"),8}  {target}"));
    }

    /// <summary>lscpu's "Model name" (from /proc/cpuinfo).</summary>
    private static string CpuModelName()
    {
        const string path = "/proc/cpuinfo";
        if (File.Exists(path))
            foreach (string line in File.ReadLines(path))
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        return "unknown CPU";
    }

    internal static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    internal static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : fallback;
}
