using RobeGen.Backends;
using RobeGen.Training;

namespace RobeGen.Cli.Commands.Train;

/// <summary>What <c>robegen train</c> was asked to do: one named property per option, bound in <see cref="TrainOptions.Bind"/>.</summary>
internal sealed class TrainSettings
{
    public string[] Data { get; init; } = [];
    public string[] EvalData { get; init; } = [];
    public double? Holdout { get; init; }
    /// <summary>The --model given; null when none was (criteo-kaggle, or the only model of --model-assembly).</summary>
    public string? Model { get; init; }
    public FileInfo? ModelAssembly { get; init; }
    public EmbeddingStorage? Storage { get; init; }
    public double? Compression { get; init; }
    public long? Slots { get; init; }
    public int? BlockSize { get; init; }
    public long MinCount { get; init; }
    public int Epochs { get; init; }
    public int BatchSize { get; init; }
    public float LearningRate { get; init; }
    public required string Schedule { get; init; }
    public OptimizerKind Optimizer { get; init; }
    public int Seed { get; init; }
    public DeviceKind Device { get; init; }
    public int Threads { get; init; }
    /// <summary>--synthetic-rows: synthetic training rows made on the fly instead of --data (0: none).</summary>
    public long SyntheticRows { get; init; }
    /// <summary>--synthetic-eval-rows: synthetic evaluation rows from row 2^48.</summary>
    public long SyntheticEvalRows { get; init; }
    /// <summary>The --synth-* data set the synthetic rows come from.</summary>
    public required RobeGen.Synthetic.SyntheticSpec Synthetic { get; init; }
    /// <summary>--files-at-once: Criteo training files read at once (0 automatic, 1 in order).</summary>
    public int FilesAtOnce { get; init; }
    public string? Save { get; init; }
    public string? Resume { get; init; }
    public long EvalEvery { get; init; }
    public double? TargetAuc { get; init; }
    public long? MaxSteps { get; init; }
    public long CheckpointEvery { get; init; }
    public double CheckpointMinutes { get; init; }
    public int KeepCheckpoints { get; init; }
    public bool SkipBadRows { get; init; }
    /// <summary>--list-separator: between the ids of a multi-hot cell of CSV/TSV files; null for the default.</summary>
    public char? ListSeparator { get; init; }
    public string? Rejects { get; init; }
    public bool Deterministic { get; init; }
    public Precision Precision { get; init; }
    public QuotientRemainderInit QrInit { get; init; }
}
