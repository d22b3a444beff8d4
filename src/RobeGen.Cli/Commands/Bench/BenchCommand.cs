using System.CommandLine;
using RobeGen.Backends;
using RobeGen.Cli.Files;
using RobeGen.Synthetic;

namespace RobeGen.Cli.Commands.Bench;

/// <summary>
/// <c>robegen bench</c>: training and inference samples/s and the embedding layer's time of the Kaggle and MLPerf
/// models for ROBE (Z = 1, 32) and Full storage at several batch sizes, with the memory floor of the same GPU.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var device = new Option<DeviceKind>("--device") { Description = "cuda or cpu.", DefaultValueFactory = _ => DeviceKind.Cuda };
        var models = new Option<string[]>("--models")
        {
            Description = "kaggle, mlperf (the dot-interaction MLPerf DLRM), mlperf-dcnv2 (MLPerf's DLRM-DCNv2, single-hot) " +
                "and/or mlperf-dcnv2-multihot (the same with MLPerf's multi-hot bags, 214 ids per sample).",
            DefaultValueFactory = _ => ["kaggle", "mlperf"],
            AllowMultipleArgumentsPerToken = true,
        };
        var batches = new Option<int[]>("--batches") { Description = "Batch sizes.", DefaultValueFactory = _ => [2048, 16384, 65536], AllowMultipleArgumentsPerToken = true };
        var storages = new Option<string[]>("--storages")
        {
            Description = "robe (the declared Z), robeN (Z = N, e.g. robe1, robe32; capped at the dim) and/or full.",
            DefaultValueFactory = _ => ["robe1", "robe32", "full"],
            AllowMultipleArgumentsPerToken = true,
        };
        var timedSteps = new Option<int>("--timed-steps") { Description = "Timed steps per figure (after warm-up).", DefaultValueFactory = _ => 20 }.Between(1, 1_000_000);
        var precision = CommonOptions.Precision();
        var csv = new Option<string?>("--csv") { Description = "Also write the table as CSV to this file (the PyTorch baseline reads it for its ratios)." };
        var serving = new Option<bool>("--serving")
        {
            Description = "Instead: serve each model from a checkpoint through Predictor (dynamic batching on CUDA) " +
                "and measure latency and concurrent throughput at the largest batch size.",
        };
        var synthetic = new Option<bool>("--synthetic")
        {
            Description = "Time the steps on the first batches of the synthetic data set train --synthetic-rows reads with the same " +
                "--synth-seed, --cardinalities, --teacher ... options (Zipf-skewed ids, as a run on made-up rows sees them; ranks as " +
                "indices for models that take indices) instead of ids uniform over each table.",
        };
        var syntheticData = new SyntheticOptions();
        var deterministic = new Option<bool>("--deterministic")
        {
            Description = "Train with deterministic embedding gradients (no float atomics), as train --deterministic does.",
        };
        var command = new Command("bench", "Measure training/inference throughput and the embedding layer against the memory floor.")
        {
            device, models, batches, storages, timedSteps, precision, csv, serving, deterministic, synthetic,
        };
        syntheticData.AddTo(command);
        syntheticData.OnlyWhen(command, r => r.GetValue(synthetic), "with --synthetic");
        command.SetAction(parse => BenchRunner.Run(new BenchOptions
        {
            Device = parse.GetValue(device),
            Models = parse.GetValue(models)!,
            BatchSizes = parse.GetValue(batches)!,
            Storages = parse.GetValue(storages)!,
            TimedSteps = parse.GetValue(timedSteps),
            Precision = parse.GetValue(precision),
            // Checked before anything is measured: a bad path found after minutes of GPU time would lose them.
            Csv = parse.GetValue(csv) is { } path ? OutputPath.Check("--csv", path, []) : null,
            Serving = parse.GetValue(serving),
            Deterministic = parse.GetValue(deterministic),
            Synthetic = parse.GetValue(synthetic) ? syntheticData.Spec(parse) : null,
        }));
        return command;
    }
}

/// <summary>What <c>robegen bench</c> measures.</summary>
internal sealed record BenchOptions
{
    public DeviceKind Device { get; init; } = DeviceKind.Cuda;
    public string[] Models { get; init; } = ["kaggle", "mlperf"];
    public int[] BatchSizes { get; init; } = [2048, 16384, 65536];
    public string[] Storages { get; init; } = ["robe1", "robe32", "full"];
    public int TimedSteps { get; init; } = 20;
    /// <summary>Arithmetic of the MLPs (FP32, TF32 or BF16 on CUDA; Int8 CPU inference).</summary>
    public Precision Precision { get; init; }
    /// <summary>Where the table also goes as CSV (rewritten after every row, atomically).</summary>
    public OutputPath? Csv { get; init; }
    public bool Serving { get; init; }
    /// <summary>Deterministic embedding gradients (the path whose resumes are bit-exact).</summary>
    public bool Deterministic { get; init; }
    /// <summary>Time the steps on this synthetic data set's first batches instead of uniform ids (null: uniform).</summary>
    public SyntheticSpec? Synthetic { get; init; }
}
