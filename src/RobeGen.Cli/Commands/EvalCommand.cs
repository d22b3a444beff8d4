using System.CommandLine;
using System.Globalization;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Cli.Files;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Metrics;
using RobeGen.Training;

namespace RobeGen.Cli.Commands;

/// <summary><c>robegen eval</c>: metrics of a checkpoint on labeled files; the last line is machine-readable.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var data = CommonOptions.Data(true, "Labeled files to evaluate on: Criteo TSV, CSV with a header or Parquet (plain or .gz).");
        var batchSize = CommonOptions.BatchSize(2048);
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var precision = CommonOptions.Precision();
        var skipBad = CommonOptions.SkipBadRows();
        var listSeparator = CommonOptions.ListSeparator();
        var modelAssembly = ModelChoice.AssemblyOption();
        var rejects = new Option<string>("--rejects") { Description = "Where --skip-bad-rows writes rejected lines.", DefaultValueFactory = _ => "rejects.tsv" };
        var command = new Command("eval", "Evaluate a checkpoint: AUC, logloss, accuracy and calibration; ends with 'auc=<x> logloss=<y> rows=<n>'.")
        {
            checkpoint, data, modelAssembly, batchSize, device, threads, precision, skipBad, rejects, listSeparator,
        };
        command.SetAction(parse =>
        {
            int batch = parse.GetValue(batchSize);
            string checkpointPath = parse.GetValue(checkpoint)!.FullName;
            string[] files = parse.GetValue(data)!;
            // The rejects file (rejects.tsv in the current folder by default) is checked before the model loads.
            OutputPath? rejectsPath = parse.GetValue(skipBad)
                ? OutputPath.Check("--rejects", parse.GetValue(rejects)!, [.. files.Select(f => ("--data", f)), ("--checkpoint", checkpointPath)])
                : null;
            ModelOptions runtime = CommonOptions.Runtime(parse, device, threads, precision, batch);
            FileInfo? assembly = parse.GetValue(modelAssembly);
            IDlrmDefinition definition = ModelChoice.ForCheckpoint(checkpointPath, assembly);
            bool tabular = DataFiles.IsTabular(definition.Declaration, files, "--data");
            if (tabular && parse.GetValue(skipBad))
                throw new CliException("--skip-bad-rows applies to Criteo TSV; a CSV or Parquet file is read whole (a bad row stops the run, named).", 2);
            LoadedModel loaded = ModelCheckpoint.Load(checkpointPath, definition, runtime);
            using IDlrmBackend model = loaded.Model;
            CriteoTrainingData? criteo = tabular ? null : new CriteoTrainingData(files, CriteoLayout.Labeled, new CriteoReaderOptions
            {
                ParserThreads = parse.GetValue(threads),
                SkipBadRows = parse.GetValue(skipBad),
                RejectsPath = rejectsPath?.Target,
            });
            // Tabular files are read with the statistics and vocabulary the checkpoint holds.
            ITrainingData input = criteo is not null ? criteo.ForModel(model.Declaration).WithVocabulary(loaded.CreateVocabularyMapper())
                : DataFiles.Tabular(model.Declaration, files, statistics: loaded.DenseStatistics, vocabulary: loaded.CreateVocabularyMapper(),
                    listSeparator: CommonOptions.ListSeparatorValue(parse.GetValue(listSeparator)));
            EvaluationMetrics m = new Evaluator(model).Evaluate(input, batch);
            Console.WriteLine($"{loaded.Definition.Declaration.Name} (step {loaded.Checkpoint.Step:N0}) on {model.DeviceName}");
            Console.WriteLine(m.ToString());
            if (criteo?.RejectedRows > 0) Console.WriteLine($"rejected rows {criteo.RejectedRows:N0} (written to {rejectsPath!.Given})");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"auc={m.Auc:F6} logloss={m.LogLoss:F6} rows={m.Count}"));
            return 0;
        });
        return command;
    }
}
