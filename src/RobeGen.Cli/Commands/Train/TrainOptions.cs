using System.CommandLine;
using RobeGen.Backends;
using RobeGen.Models;
using RobeGen.Training;

namespace RobeGen.Cli.Commands.Train;

/// <summary>The options of <c>robegen train</c>, each with its range checked at parse time, and their binding to <see cref="TrainSettings"/>.</summary>
internal sealed class TrainOptions
{
    public Option<string[]> Data { get; } =
        CommonOptions.Data(false,
            "Training files: Criteo TSV, CSV with a header (any delimiter) or Parquet, plain or .gz. Default: the built-in 10,000-row Criteo 1TB sample.");

    public Option<string[]> EvalData { get; } = new("--eval-data")
    {
        Description = "Evaluation files (any format --data takes). Without them, --holdout cuts the last rows of Criteo TSV --data off.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<long> SyntheticRows { get; } = new Option<long>("--synthetic-rows")
    {
        Description = "Train on this many synthetic Criteo-shaped rows made on the fly (rows 0..N-1 of the --synth-* data set; no --data), " +
            "e.g. a billion-row run checkpointed and resumed like any other.",
    }.AtLeast(0);

    public Option<long> SyntheticEvalRows { get; } = new Option<long>("--synthetic-eval-rows")
    {
        Description = "With --synthetic-rows: evaluate on this many synthetic rows from row 2^48 (disjoint from training), exact AUC.",
    }.AtLeast(0);

    /// <summary>The --synth-* options describing the synthetic data set of --synthetic-rows (as robegen synth and sweep take them).</summary>
    public SyntheticOptions Synthetic { get; } = new();

    public Option<double?> Holdout { get; } = new Option<double?>("--holdout")
    {
        Description = "Fraction of the training lines (the last ones) kept for evaluation when no --eval-data is given " +
            "(default 0.2 for the built-in sample, none otherwise).",
    }.Finite(0, inclusive: true, max: 0.99);

    public Option<string?> Model { get; } = new("--model")
    {
        Description = "criteo-kaggle (default), criteo-terabyte or criteo-terabyte-dcnv2, or with --model-assembly the class name of your own model " +
            "(default there: the assembly's only model).",
    };

    public Option<FileInfo?> ModelAssembly { get; } = ModelChoice.AssemblyOption();

    public Option<EmbeddingStorage?> Storage { get; } = new("--storage")
    {
        Description = "Embedding storage of every table: robe, full, hashed or quotientremainder (default: as declared, ROBE).",
    };

    public Option<double?> Compression { get; } = new Option<double?>("--compression")
    {
        Description = "Compress the full tables this many times: sets the ROBE slots (or the Hashed rows, or the QuotientRemainder Q and R).",
    }.Finite(1, inclusive: true);

    public Option<QuotientRemainderInit> QrInit { get; } = new("--qr-init")
    {
        Description = "How quotientremainder tables start: reference (facebookresearch/dlrm's U(sqrt(1/n), 1)) or scalematched " +
            "(U(-n^-1/4, n^-1/4), near zero like the other storages; it trains much better in docs/accuracy.md).",
        DefaultValueFactory = _ => QuotientRemainderInit.Reference,
    };

    public Option<long?> Slots { get; } = new Option<long?>("--slots") { Description = "ROBE array slots m (instead of --compression)." }.AtLeast(1);
    public Option<int?> BlockSize { get; } = new Option<int?>("--block-size") { Description = "ROBE block size Z (default: as declared)." }.Between(1, 1 << 20);

    public Option<long> MinCount { get; } = new Option<long>("--min-count")
    {
        Description = "Full tables: ids seen fewer times share the 'rare' row 0.",
        DefaultValueFactory = _ => 1,
    }.AtLeast(1);

    public Option<int> Epochs { get; } = new Option<int>("--epochs") { Description = "Passes over the training data.", DefaultValueFactory = _ => 1 }
        .Between(1, 1_000_000);

    public Option<int> BatchSize { get; } = CommonOptions.BatchSize(128);

    public Option<float> LearningRate { get; } = new Option<float>("--lr")
    {
        Description = "Learning rate (0.01 suits Adagrad; the paper uses SGD with 0.1 on Kaggle, 1.0 on Criteo TB).",
        DefaultValueFactory = _ => 0.01f,
    }.Finite(0);

    public Option<string> Schedule { get; } = new("--lr-schedule")
    {
        Description = "constant, or mlperf:WARMUP:DECAY_START:DECAY_STEPS (MLPerf DLRM's warm-up and polynomial decay).",
        DefaultValueFactory = _ => "constant",
    };

    public Option<OptimizerKind> Optimizer { get; } = new("--optimizer") { Description = "sgd (the paper's) or adagrad.", DefaultValueFactory = _ => OptimizerKind.Adagrad };

    public Option<int> Seed { get; } = new("--seed")
    {
        Description = "Initialization seed: the same seed and data give the same model on the CPU.",
        DefaultValueFactory = _ => 1,
    };

    public Option<DeviceKind> Device { get; } = CommonOptions.Device();
    public Option<int> Threads { get; } = CommonOptions.Threads();

    public Option<int> FilesAtOnce { get; } = new Option<int>("--files-at-once")
    {
        Description = "Training files read at once, the batches going round them one from each (a gzip, CSV or Parquet file decodes on one " +
            "thread): 0 = automatic (2+ gzip, CSV or Parquet files: half the cores), 1 = one file after another. A resumed run keeps the way its checkpoint was read.",
        DefaultValueFactory = _ => 0,
    }.Between(0, RobeGen.Data.InterleavedPosition.MaxLanes);

    public Option<bool> Deterministic { get; } = new("--deterministic")
    {
        Description = "CUDA only: the same embedding gradient bits every run, whatever the order of the additions (fixed-point integer sums " +
            "for ROBE arrays, sorted sums for Full, Hashed and QR tables) instead of float atomics.",
    };

    public Option<Precision> Precision { get; } = new("--precision")
    {
        Description = "Arithmetic of the evaluations' predictions: fp32, or int8 (CPU only). " +
            "Training itself is always FP32, so the same seed gives the same model either way.",
        DefaultValueFactory = _ => Backends.Precision.Fp32,
    };

    public Option<string?> Save { get; } = new("--save") { Description = "Checkpoint path (a training-curve PNG is written beside it)." };

    public Option<string?> Resume { get; } = new("--resume")
    {
        Description = "Continue the run saved at this path (its model settings win): the newest intact of the file and its periodic " +
            "checkpoints (model.step-N.rgck) is taken; damaged newer ones are renamed *.damaged.",
    };

    public Option<long> EvalEvery { get; } = new Option<long>("--eval-every")
    {
        Description = "Evaluate every N steps (0: at the end of each epoch).",
        DefaultValueFactory = _ => 0,
    }.AtLeast(0);

    public Option<double?> TargetAuc { get; } = new Option<double?>("--target-auc") { Description = "Stop once an evaluation reaches this AUC." }
        .Finite(0, inclusive: true, max: 1);

    public Option<long?> MaxSteps { get; } = new Option<long?>("--max-steps") { Description = "Stop after this many steps." }.AtLeast(0);

    public Option<long> CheckpointEvery { get; } = new Option<long>("--checkpoint-every")
    {
        Description = "Also checkpoint every N steps (needs --save).",
        DefaultValueFactory = _ => 0,
    }.AtLeast(0);

    public Option<double> CheckpointMinutes { get; } = new Option<double>("--checkpoint-minutes")
    {
        Description = "Also checkpoint when this many minutes have passed since the last one (needs --save).",
        DefaultValueFactory = _ => 0,
    }.Finite(0, inclusive: true);

    public Option<int> KeepCheckpoints { get; } = new Option<int>("--keep-checkpoints")
    {
        Description = "Keep the last K periodic checkpoints as model.step-N.rgck beside --save (1: each overwrites --save). " +
            "The final model is always at --save.",
        DefaultValueFactory = _ => 1,
    }.Between(1, 1_000_000);

    public Option<bool> SkipBadRows { get; } = CommonOptions.SkipBadRows();

    public Option<string?> ListSeparator { get; } = CommonOptions.ListSeparator();

    public Option<string?> Rejects { get; } = new("--rejects")
    {
        Description = "Where --skip-bad-rows writes rejected lines (default: rejects.tsv beside --save, or in the current folder).",
    };

    public IEnumerable<Option> All =>
    [
        Data, EvalData, Holdout, Model, ModelAssembly, Storage, Compression, QrInit, Slots, BlockSize, MinCount, Epochs, BatchSize, LearningRate, Schedule,
        Optimizer, Seed, Device, Threads, Save, Resume, EvalEvery, TargetAuc, MaxSteps, CheckpointEvery, CheckpointMinutes, KeepCheckpoints,
        SkipBadRows, Rejects, Deterministic, Precision, ListSeparator, FilesAtOnce, SyntheticRows, SyntheticEvalRows, .. Synthetic.All,
    ];

    /// <summary>The one place where parsed values become settings.</summary>
    public TrainSettings Bind(ParseResult parse) => new()
    {
        Data = parse.GetValue(Data) ?? [],
        EvalData = parse.GetValue(EvalData) ?? [],
        SyntheticRows = parse.GetValue(SyntheticRows),
        SyntheticEvalRows = parse.GetValue(SyntheticEvalRows),
        Synthetic = Synthetic.Spec(parse),
        Holdout = parse.GetValue(Holdout),
        Model = parse.GetValue(Model),
        ModelAssembly = parse.GetValue(ModelAssembly),
        Storage = parse.GetValue(Storage),
        Compression = parse.GetValue(Compression),
        QrInit = parse.GetValue(QrInit),
        Slots = parse.GetValue(Slots),
        BlockSize = parse.GetValue(BlockSize),
        MinCount = parse.GetValue(MinCount),
        Epochs = parse.GetValue(Epochs),
        BatchSize = parse.GetValue(BatchSize),
        LearningRate = parse.GetValue(LearningRate),
        Schedule = parse.GetValue(Schedule)!,
        Optimizer = parse.GetValue(Optimizer),
        Seed = parse.GetValue(Seed),
        Device = parse.GetValue(Device),
        Threads = parse.GetValue(Threads),
        FilesAtOnce = parse.GetValue(FilesAtOnce),
        Save = parse.GetValue(Save),
        Resume = parse.GetValue(Resume),
        EvalEvery = parse.GetValue(EvalEvery),
        TargetAuc = parse.GetValue(TargetAuc),
        MaxSteps = parse.GetValue(MaxSteps),
        CheckpointEvery = parse.GetValue(CheckpointEvery),
        CheckpointMinutes = parse.GetValue(CheckpointMinutes),
        KeepCheckpoints = parse.GetValue(KeepCheckpoints),
        SkipBadRows = parse.GetValue(SkipBadRows),
        ListSeparator = CommonOptions.ListSeparatorValue(parse.GetValue(ListSeparator)),
        Rejects = parse.GetValue(Rejects),
        Deterministic = parse.GetValue(Deterministic),
        Precision = parse.GetValue(Precision),
    };
}
