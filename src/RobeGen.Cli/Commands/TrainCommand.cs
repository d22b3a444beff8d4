using System.CommandLine;
using System.Globalization;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Cli.Output;
using RobeGen.Data;
using RobeGen.Models;
using RobeGen.Training;

namespace RobeGen.Cli.Commands;

/// <summary><c>robegen train</c>: with no arguments, the README's main job on the built-in Criteo sample.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data(false, "Training files (Criteo TSV, plain or .gz). Default: the built-in 10,000-row Criteo 1TB sample.");
        var evalData = new Option<string[]>("--eval-data") { Description = "Evaluation files. Without them, --holdout cuts the last rows of --data off.", AllowMultipleArgumentsPerToken = true };
        var holdout = new Option<double?>("--holdout") { Description = "Fraction of the training lines (the last ones) kept for evaluation when no --eval-data is given (default 0.2 for the built-in sample, none otherwise)." };
        var model = new Option<string>("--model") { Description = "criteo-kaggle, criteo-terabyte or criteo-terabyte-dcnv2.", DefaultValueFactory = _ => "criteo-kaggle" };
        model.AcceptOnlyFromAmong(ModelCatalog.Builtin.Keys.ToArray());
        var storage = new Option<EmbeddingStorage?>("--storage") { Description = "Embedding storage of every table: robe, full, hashed or quotientremainder (default: as declared, ROBE)." };
        var compression = new Option<double?>("--compression") { Description = "Compress the full tables this many times: sets the ROBE slots (or the Hashed rows, or the QuotientRemainder Q and R)." };
        var qrInit = new Option<QuotientRemainderInit>("--qr-init")
        {
            Description = "How quotientremainder tables start: reference (facebookresearch/dlrm's U(sqrt(1/n), 1)) or scalematched " +
                "(U(-n^-1/4, n^-1/4), near zero like the other storages; it trains much better in docs/accuracy.md).",
            DefaultValueFactory = _ => QuotientRemainderInit.Reference,
        };
        var slots = new Option<long?>("--slots") { Description = "ROBE array slots m (instead of --compression)." };
        var blockSize = new Option<int?>("--block-size") { Description = "ROBE block size Z (default: as declared)." };
        var minCount = new Option<long>("--min-count") { Description = "Full tables: ids seen fewer times share the 'rare' row 0.", DefaultValueFactory = _ => 1 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data.", DefaultValueFactory = _ => 1 };
        var batchSize = CommonOptions.BatchSize(128);
        var lr = new Option<float>("--lr") { Description = "Learning rate (0.01 suits Adagrad; the paper uses SGD with 0.1 on Kaggle, 1.0 on Criteo TB).", DefaultValueFactory = _ => 0.01f };
        var schedule = new Option<string>("--lr-schedule") { Description = "constant, or mlperf:WARMUP:DECAY_START:DECAY_STEPS (MLPerf DLRM's warm-up and polynomial decay).", DefaultValueFactory = _ => "constant" };
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "sgd (the paper's) or adagrad.", DefaultValueFactory = _ => OptimizerKind.Adagrad };
        var seed = new Option<int>("--seed") { Description = "Initialization seed: the same seed and data give the same model on the CPU.", DefaultValueFactory = _ => 1 };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var deterministic = new Option<bool>("--deterministic") { Description = "CUDA only: reduce the embedding gradient by sort-and-segment (the same result every run) instead of float atomics." };
        var precision = new Option<Precision>("--precision")
        {
            Description = "Arithmetic of the evaluations' predictions: fp32, or int8 (CPU only). Training itself is always FP32, so the same seed gives the same model either way.",
            DefaultValueFactory = _ => Precision.Fp32,
        };
        var save = new Option<string?>("--save") { Description = "Checkpoint path (a training-curve PNG is written beside it)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run saved at this path (its model settings win): the newest intact of the file and its periodic checkpoints (model.step-N.rgck) is taken; damaged newer ones are renamed *.damaged." };
        var evalEvery = new Option<long>("--eval-every") { Description = "Evaluate every N steps (0: at the end of each epoch).", DefaultValueFactory = _ => 0 };
        var targetAuc = new Option<double?>("--target-auc") { Description = "Stop once an evaluation reaches this AUC." };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Stop after this many steps." };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Also checkpoint every N steps (needs --save).", DefaultValueFactory = _ => 0 };
        var checkpointMinutes = new Option<double>("--checkpoint-minutes") { Description = "Also checkpoint when this many minutes have passed since the last one (needs --save).", DefaultValueFactory = _ => 0 };
        var keepCheckpoints = new Option<int>("--keep-checkpoints") { Description = "Keep the last K periodic checkpoints as model.step-N.rgck beside --save (1: each overwrites --save). The final model is always at --save.", DefaultValueFactory = _ => 1 };
        var skipBad = CommonOptions.SkipBadRows();
        var rejects = new Option<string?>("--rejects") { Description = "Where --skip-bad-rows writes rejected lines (default: rejects.tsv beside --save, or in the current folder)." };

        var command = new Command("train", "Train a model on Criteo files (or the built-in sample) and print AUC, logloss, size and speed.")
        {
            data, evalData, holdout, model, storage, compression, qrInit, slots, blockSize, minCount, epochs, batchSize, lr, schedule,
            optimizer, seed, device, threads, save, resume, evalEvery, targetAuc, maxSteps, checkpointEvery, checkpointMinutes, keepCheckpoints,
            skipBad, rejects, deterministic, precision,
        };
        command.SetAction(parse => Run(new TrainRequest(
            parse.GetValue(data) ?? [], parse.GetValue(evalData) ?? [], parse.GetValue(holdout), parse.GetValue(model)!,
            parse.GetValue(storage), parse.GetValue(compression), parse.GetValue(slots), parse.GetValue(blockSize), parse.GetValue(minCount),
            parse.GetValue(epochs), parse.GetValue(batchSize), parse.GetValue(lr), parse.GetValue(schedule)!, parse.GetValue(optimizer),
            parse.GetValue(seed), parse.GetValue(device), parse.GetValue(threads), parse.GetValue(save), parse.GetValue(resume),
            parse.GetValue(evalEvery), parse.GetValue(targetAuc), parse.GetValue(maxSteps), parse.GetValue(checkpointEvery),
            parse.GetValue(checkpointMinutes), parse.GetValue(keepCheckpoints), parse.GetValue(skipBad), parse.GetValue(rejects),
            parse.GetValue(deterministic), parse.GetValue(precision), parse.GetValue(qrInit))));
        return command;
    }

    private static int Run(TrainRequest r)
    {
        var console = new TrainingConsole();
        bool builtIn = r.Data.Length == 0;
        string[] files = builtIn ? [EmbeddedSample.Extract()] : r.Data;
        if (builtIn) console.OnMessage($"data: built-in sample, {EmbeddedSample.Attribution}");

        CriteoReaderOptions readerOptions = new()
        {
            ParserThreads = r.Threads,
            SkipBadRows = r.SkipBadRows,
            RejectsPath = r.SkipBadRows ? r.Rejects ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(r.Save ?? "x")) ?? ".", "rejects.tsv") : null,
        };
        (CriteoTrainingData train, CriteoTrainingData? eval) = SplitData(r, files, builtIn, readerOptions);

        IDlrmDefinition definition = ModelCatalog.Get(r.Model);
        if (r.Save is null && (r.CheckpointEvery > 0 || r.CheckpointMinutes > 0 || r.KeepCheckpoints != 1))
            throw new ArgumentException("--checkpoint-every, --checkpoint-minutes and --keep-checkpoints need --save.");
        var series = r.Save is null ? null : new CheckpointSeries(r.Save, r.KeepCheckpoints);
        if (series?.RemoveStaleTemporaryFiles() is > 0 and int stale)
            console.OnMessage($"removed {stale} temporary file(s) of an interrupted save beside {r.Save}");
        LoadedModel? resumed = r.Resume is null ? null : Resume(r.Resume, definition, RuntimeOptions(r), console);
        Vocabulary? vocabulary = resumed?.Vocabulary;
        ModelOptions options;
        IDlrmBackend model;
        if (resumed is not null)
        {
            (options, model) = (resumed.Options, resumed.Model);
            console.OnMessage($"resuming at step {resumed.Checkpoint.Step:N0} ({resumed.Checkpoint.DataPosition})");
        }
        else
        {
            var choice = new StorageChoice(r.Storage, r.Compression, r.Slots, r.BlockSize, QuotientRemainderInit: r.QrInit);
            NewModel built = ModelSetup.Create(definition, RuntimeOptions(r) with { Seed = r.Seed, Optimizer = r.Optimizer }, choice, train,
                r.MinCount, log: console.OnMessage);
            (model, options, vocabulary) = (built.Model, built.Options, built.Vocabulary);
        }

        using (model)
        {
            VocabularyMapper? mapper = VocabularyMapper.For(vocabulary, model.Layout);
            train = train.ForModel(definition.Declaration).WithVocabulary(mapper);
            eval = eval?.ForModel(definition.Declaration).WithVocabulary(mapper);
            console.OnMessage($"model: {definition.Declaration.Name} on {model.DeviceName}; {SummaryPrinter.Bytes(model.Layout.Size.Bytes)} " +
                string.Create(CultureInfo.InvariantCulture, $"({model.Layout.Size.CompressionRatio:N1}x compression); {options.Optimizer}, lr {r.LearningRate}, batch {r.BatchSize}"));

            var trainingOptions = new TrainingOptions
            {
                Epochs = r.Epochs,
                BatchSize = r.BatchSize,
                LearningRate = LearningRateSchedule.Parse(r.Schedule, r.LearningRate),
                EvalEverySteps = r.EvalEvery,
                TargetAuc = r.TargetAuc,
                MaxSteps = r.MaxSteps,
                CheckpointEverySteps = r.CheckpointEvery,
                CheckpointEveryMinutes = r.CheckpointMinutes,
            };
            Action<TrainingSnapshot>? saver = series is null ? null : snapshot =>
            {
                string written = series.Save(snapshot.Progress.Step, path => ModelCheckpoint.Save(path, model, options, snapshot, vocabulary, RunSettings(r)));
                console.OnCheckpoint(written, snapshot.Progress.Step);
            };
            var trainer = new Trainer(model, trainingOptions, console, saver);
            TrainingSummary summary = console.Run(() => trainer.Train(train, eval, resumed?.Progress));
            series?.Publish();

            string? plot = null;
            if (r.Save is not null)
            {
                plot = Path.ChangeExtension(r.Save, ".curve.png");
                TrainingCurvePlot.Save(plot, summary);
            }
            if (train.RejectedRows > 0 || (eval?.RejectedRows ?? 0) > 0)
                Console.WriteLine($"rejected rows  {train.RejectedRows + (eval?.RejectedRows ?? 0):N0} (written to {readerOptions.RejectsPath})");
            SummaryPrinter.Print(Console.Out, summary, r.Save, plot);
        }
        return 0;
    }

    /// <summary>The newest intact checkpoint of the run saved at <paramref name="path"/>, telling which damaged ones were set aside.</summary>
    private static LoadedModel Resume(string path, IDlrmDefinition definition, ModelOptions runtime, TrainingConsole console)
    {
        string chosen = path;
        LoadedModel loaded = new CheckpointSeries(path).LoadNewest(p => ModelCheckpoint.Load(chosen = p, definition, runtime), out IReadOnlyList<string> setAside);
        foreach (string damaged in setAside) console.OnMessage($"skipped a damaged checkpoint: {damaged}");
        console.OnMessage($"resuming from {chosen}");
        return loaded;
    }

    private static (CriteoTrainingData Train, CriteoTrainingData? Eval) SplitData(TrainRequest r, string[] files, bool builtIn, CriteoReaderOptions readerOptions)
    {
        // Evaluation rows get their own rejects file, so the training rejects are not overwritten by each evaluation.
        CriteoReaderOptions evalOptions = readerOptions with { RejectsPath = readerOptions.RejectsPath is { } p ? p + ".eval" : null };
        if (r.EvalData.Length > 0)
        {
            if (r.Holdout is not null) throw new ArgumentException("Give either --eval-data or --holdout, not both.");
            return (new CriteoTrainingData(files, CriteoLayout.Labeled, readerOptions),
                    new CriteoTrainingData(r.EvalData, CriteoLayout.Labeled, evalOptions));
        }
        double? fraction = r.Holdout ?? (builtIn ? 0.2 : null);
        if (fraction is null or 0) return (new CriteoTrainingData(files, CriteoLayout.Labeled, readerOptions), null);
        var (train, eval) = HoldoutSplit.Split(files, fraction.Value, readerOptions);
        return (train, new CriteoTrainingData(eval.Files, CriteoLayout.Labeled, evalOptions) { First = eval.First });
    }

    private static ModelOptions RuntimeOptions(TrainRequest r) => new()
    {
        Device = r.Device,
        Threads = r.Threads,
        MaxBatchSize = r.BatchSize,
        DeterministicGradients = r.Deterministic,
        Precision = r.Precision,
    };

    private static Dictionary<string, string> RunSettings(TrainRequest r) => new()
    {
        ["lr"] = r.LearningRate.ToString(CultureInfo.InvariantCulture),
        ["lr-schedule"] = r.Schedule,
        ["batch-size"] = r.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["epochs"] = r.Epochs.ToString(CultureInfo.InvariantCulture),
        ["data"] = string.Join(' ', r.Data.Length == 0 ? [EmbeddedSample.ResourceName] : r.Data.Select(Path.GetFileName)),
    };

    private sealed record TrainRequest(
        string[] Data, string[] EvalData, double? Holdout, string Model, EmbeddingStorage? Storage, double? Compression, long? Slots,
        int? BlockSize, long MinCount, int Epochs, int BatchSize, float LearningRate, string Schedule, OptimizerKind Optimizer, int Seed,
        DeviceKind Device, int Threads, string? Save, string? Resume, long EvalEvery, double? TargetAuc, long? MaxSteps,
        long CheckpointEvery, double CheckpointMinutes, int KeepCheckpoints, bool SkipBadRows, string? Rejects, bool Deterministic,
        Precision Precision, QuotientRemainderInit QrInit);
}
