using System.CommandLine;
using System.Globalization;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Cli.Output;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Models;
using RobeGen.Synthetic;
using RobeGen.Training;

namespace RobeGen.Cli.Commands.Train;

/// <summary><c>robegen train</c>: with no arguments, the README's main job on the built-in Criteo sample.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var options = new TrainOptions();
        var command = new Command("train", "Train a model on Criteo TSV, CSV or Parquet files (or the built-in sample) and print AUC, logloss, size and speed.");
        foreach (Option option in options.All) command.Options.Add(option);
        options.Synthetic.OnlyWhen(command, r => r.GetValue(options.SyntheticRows) > 0, "with --synthetic-rows");
        command.SetAction(parse => Run(options.Bind(parse)));
        return command;
    }

    private static int Run(TrainSettings r)
    {
        var console = new TrainingConsole();
        bool synthetic = r.SyntheticRows > 0;
        if (synthetic && (r.Data.Length > 0 || r.EvalData.Length > 0 || r.Holdout is not null))
            throw new CliException("--synthetic-rows trains on rows made on the fly: give it no --data, --eval-data or --holdout (--synthetic-eval-rows evaluates).", 2);
        if (!synthetic && r.SyntheticEvalRows > 0) throw new CliException("--synthetic-eval-rows needs --synthetic-rows.", 2);
        bool builtIn = r.Data.Length == 0 && !synthetic;
        string[] files = builtIn ? [EmbeddedSample.Extract()] : r.Data;
        if (builtIn) console.OnMessage($"data: built-in sample, {EmbeddedSample.Attribution}");

        IDlrmDefinition definition = ModelChoice.Choose(r.Model, r.ModelAssembly);
        TrainOutputs outputs = TrainOutputs.Check(r, files);
        CriteoReaderOptions readerOptions = new()
        {
            ParserThreads = r.Threads,
            InterleaveFiles = r.FilesAtOnce,
            SkipBadRows = r.SkipBadRows,
            RejectsPath = outputs.Rejects?.Target,
        };
        (ITrainingData train, ITrainingData? eval) = synthetic ? SyntheticData(r) : SplitData(r, files, builtIn, readerOptions, definition.Declaration);

        if (r.Save is null && (r.CheckpointEvery > 0 || r.CheckpointMinutes > 0 || r.KeepCheckpoints != 1))
            throw new ArgumentException("--checkpoint-every, --checkpoint-minutes and --keep-checkpoints need --save.");
        var series = outputs.Save is null ? null : new CheckpointSeries(outputs.Save.Target, r.KeepCheckpoints);
        if (series?.RemoveStaleTemporaryFiles() is > 0 and int stale)
            console.OnMessage($"removed {stale} temporary file(s) of an interrupted save beside {r.Save}");
        LoadedModel? resumed = r.Resume is null ? null : Resume(r.Resume, definition, RuntimeOptions(r), console);
        Vocabulary? vocabulary = resumed?.Vocabulary;
        // A new run's first files open and decode while its model is built (a resumed run starts inside its files).
        using IDisposable? openedAhead = resumed is null ? (train as TabularData)?.OpenAhead(r.BatchSize) : null;
        ModelOptions options;
        IDlrmBackend model;
        // Synthetic rows give a model that takes vocabulary indices their ranks, unless a vocabulary was counted (min count > 1).
        bool syntheticIndices;
        if (resumed is not null)
        {
            (options, model) = (resumed.Options, resumed.Model);
            syntheticIndices = synthetic && vocabulary is null && model.Layout.TakesVocabularyIndices;
            console.OnMessage($"resuming at step {resumed.Checkpoint.Step:N0} ({resumed.Checkpoint.DataPosition})");
        }
        else
        {
            var choice = new StorageChoice(r.Storage, CompressionFor(r, definition, console), r.Slots, r.BlockSize, QuotientRemainderInit: r.QrInit);
            NewModel built = ModelSetup.Create(definition, RuntimeOptions(r) with { Seed = r.Seed, Optimizer = r.Optimizer }, choice, train,
                r.MinCount, log: console.OnMessage);
            (model, options, vocabulary, syntheticIndices) = (built.Model, built.Options, built.Vocabulary, built.SyntheticIndices);
        }

        using (model)
        {
            VocabularyMapper? mapper = syntheticIndices ? null : VocabularyMapper.For(vocabulary, model.Layout);
            train = ForModel(train, definition.Declaration, mapper, resumed?.DenseStatistics, syntheticIndices ? model.Layout : null);
            // Evaluation files are standardized with the training data's statistics, as the checkpoint stores them.
            eval = eval is null ? null : ForModel(eval, definition.Declaration, mapper, (train as TabularData)?.ResolvedStatistics ?? resumed?.DenseStatistics,
                syntheticIndices ? model.Layout : null);
            console.OnMessage($"model: {definition.Declaration.Name} on {model.DeviceName}; {SummaryPrinter.Bytes(model.Layout.Size.Bytes)} " +
                string.Create(CultureInfo.InvariantCulture,
                    $"({SummaryPrinter.Compression(model.Layout)}); {options.Optimizer}, lr {r.LearningRate}, batch {r.BatchSize}"));

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
            long saves = 0;
            Action<TrainingSnapshot>? saver = series is null ? null : snapshot =>
            {
                string written = TrainOutputs.Writing(outputs.Save!, "the checkpoint", () =>
                    series.Save(snapshot.Progress.Step, path => ModelCheckpoint.Save(path, model, options, snapshot, vocabulary, RunSettings(r))));
                saves++;
                console.OnCheckpoint(written, snapshot.Progress.Step);
            };
            var trainer = new Trainer(model, trainingOptions, console, saver);
            using var interruption = new Interruption();
            TrainingSummary summary = console.Run(() => trainer.Train(train, eval, resumed?.Progress, interruption.Token));
            // Always: a run killed between its last periodic save and this copy is finished by a resume that has no step left.
            if (series is not null) TrainOutputs.Writing(outputs.Save!, "the final checkpoint", series.Publish);

            string? plot = null;
            if (outputs.Save is not null && saves > 0)
            {
                plot = Path.ChangeExtension(outputs.Save.Target, ".curve.png");
                TrainOutputs.Writing(outputs.Save, "the training curve " + plot, () => TrainingCurvePlot.Save(plot, summary, console.LossPoints));
            }
            long rejected = ((train as CriteoTrainingData)?.RejectedRows ?? 0) + ((eval as CriteoTrainingData)?.RejectedRows ?? 0);
            if (rejected > 0) Console.WriteLine($"rejected rows  {rejected:N0} (written to {outputs.Rejects!.Given})");
            // Name the checkpoint only when one was written: no step ran when the data is empty, every row was rejected or --max-steps is 0.
            string? saved = outputs.Save is null ? null
                : saves > 0 ? r.Save
                : $"none written: no training step ran ({summary.StopReason}; empty data, every row rejected, or --max-steps 0)";
            SummaryPrinter.Print(Console.Out, summary, model.Layout, saved, plot);
            if (interruption.SignalName is { } signal)
            {
                Console.Error.WriteLine($"robegen: interrupted by {signal} after step {summary.Final.Step:N0}; " +
                    (saves > 0 ? $"saved to {r.Save}, resume with --resume {r.Save}" : outputs.Save is null ? "nothing saved (no --save)" : "nothing saved"));
                return interruption.ExitCode;
            }
        }
        return 0;
    }

    /// <summary>
    /// The compression ratio of a new model: --compression, or for hashed and quotientremainder tables without it (they have
    /// no declared size of their own) the declared ROBE model's ratio, so that the storages compare at the same size.
    /// </summary>
    private static double? CompressionFor(TrainSettings r, IDlrmDefinition definition, TrainingConsole console)
    {
        if (r.Compression is not null || r.Slots is not null || r.Storage is not (EmbeddingStorage.Hashed or EmbeddingStorage.QuotientRemainder)) return r.Compression;
        double ratio = Math.Round(definition.Declaration.DeclaredSize.CompressionRatio, 1);
        string storage = r.Storage.Value.ToString().ToLowerInvariant();
        console.OnMessage(string.Format(CultureInfo.InvariantCulture,
            "--storage {0} without --compression: compressing {1:N1}x, as the declared model does (give --compression to choose)", storage, ratio));
        return ratio;
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

    /// <summary>Rows 0..N-1 of the --synth-* data set for training and, with --synthetic-eval-rows, rows from 2^48 for evaluation.</summary>
    private static (ITrainingData Train, ITrainingData? Eval) SyntheticData(TrainSettings r)
    {
        var generator = new SyntheticGenerator(r.Synthetic);
        var eval = r.SyntheticEvalRows > 0 ? new SyntheticTrainingData(generator, SyntheticTrainingData.EvaluationRowBase, r.SyntheticEvalRows) : null;
        return (new SyntheticTrainingData(generator, 0, r.SyntheticRows), eval);
    }

    private static (ITrainingData Train, ITrainingData? Eval) SplitData(TrainSettings r, string[] files, bool builtIn, CriteoReaderOptions readerOptions,
        ModelDeclaration declaration)
    {
        // Evaluation rows get their own rejects file, so the training rejects are not overwritten by each evaluation.
        // Evaluation reads its files in order: its rows are few beside training's, and predictions keep the files' order.
        CriteoReaderOptions evalOptions = readerOptions with
        {
            RejectsPath = readerOptions.RejectsPath is { } p ? TrainOutputs.EvalRejects(p) : null,
            InterleaveFiles = 1,
        };
        bool tabular = DataFiles.IsTabular(declaration, files, "--data");
        bool evalTabular = r.EvalData.Length > 0 && DataFiles.IsTabular(declaration, r.EvalData, "--eval-data");
        if ((tabular || evalTabular) && r.SkipBadRows)
            throw new CliException("--skip-bad-rows applies to Criteo TSV; a CSV or Parquet file is read whole (a bad row stops the run, named).", 2);
        ITrainingData Read(string[] paths, bool isTabular, CriteoReaderOptions options) => isTabular
            ? DataFiles.Tabular(declaration, paths, listSeparator: r.ListSeparator, filesAtOnce: options.InterleaveFiles, decodeThreads: options.ParserThreads)
            : new CriteoTrainingData(paths, CriteoLayout.Labeled, options);
        if (r.EvalData.Length > 0)
        {
            if (r.Holdout is not null) throw new ArgumentException("Give either --eval-data or --holdout, not both.");
            return (Read(files, tabular, readerOptions), Read(r.EvalData, evalTabular, evalOptions));
        }
        double? fraction = r.Holdout ?? (builtIn ? 0.2 : null);
        if (fraction is null or 0) return (Read(files, tabular, readerOptions), null);
        if (tabular) throw new CliException("--holdout cuts the last lines of Criteo TSV files; for CSV or Parquet give --eval-data.", 2);
        var (train, eval) = HoldoutSplit.Split(files, fraction.Value, readerOptions);
        return (train, new CriteoTrainingData(eval.Files, CriteoLayout.Labeled, evalOptions) { First = eval.First });
    }

    /// <summary>Data shaped for the model: Criteo columns projected to its tables, tabular files read with its statistics; both
    /// mapped to its vocabulary. Synthetic rows for <paramref name="indicesFor"/>'s layout give their ranks as indices.</summary>
    private static ITrainingData ForModel(ITrainingData data, ModelDeclaration declaration, VocabularyMapper? mapper, DenseStatistics? statistics,
        EmbeddingLayout? indicesFor) => data switch
        {
            CriteoTrainingData criteo => criteo.ForModel(declaration).WithVocabulary(mapper),
            SyntheticTrainingData synthetic when indicesFor is not null => SyntheticIndices(synthetic.ForModel(declaration), indicesFor),
            SyntheticTrainingData synthetic => synthetic.ForModel(declaration).WithVocabulary(mapper),
            TabularData tabular => tabular.WithVocabulary(mapper, statistics ?? tabular.ResolvedStatistics),
            _ => throw new InvalidOperationException($"Unexpected data {data.GetType().Name}."),
        };

    /// <summary>The rows as indices, refused (exit 2) when the model's Full tables are too small for them.</summary>
    private static SyntheticTrainingData SyntheticIndices(SyntheticTrainingData data, EmbeddingLayout layout)
    {
        SyntheticTrainingData indices = data.ForIndices();
        try { indices.CheckIndicesFit(layout); }
        catch (ArgumentException e) { throw new CliException($"--cardinalities: {CliErrors.OneLine(e)}", 2); }
        return indices;
    }

    private static ModelOptions RuntimeOptions(TrainSettings r) => new()
    {
        Device = r.Device,
        Threads = r.Threads,
        MaxBatchSize = r.BatchSize,
        DeterministicGradients = r.Deterministic,
        Precision = r.Precision,
    };

    private static Dictionary<string, string> RunSettings(TrainSettings r) => new()
    {
        ["lr"] = r.LearningRate.ToString(CultureInfo.InvariantCulture),
        ["lr-schedule"] = r.Schedule,
        ["batch-size"] = r.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["epochs"] = r.Epochs.ToString(CultureInfo.InvariantCulture),
        ["data"] = r.SyntheticRows > 0
            ? string.Create(CultureInfo.InvariantCulture, $"synthetic rows 0..{r.SyntheticRows - 1} (seed {r.Synthetic.Seed}, Zipf {r.Synthetic.ZipfExponent}, CTR {r.Synthetic.TargetCtr}{r.Synthetic.TeacherNote})")
            : string.Join(' ', r.Data.Length == 0 ? [EmbeddedSample.ResourceName] : r.Data.Select(Path.GetFileName)),
    };
}
