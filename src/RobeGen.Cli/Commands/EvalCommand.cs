using System.CommandLine;
using System.Globalization;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Cli.Files;
using RobeGen.Data;
using RobeGen.Metrics;
using RobeGen.Models;
using RobeGen.Training;

namespace RobeGen.Cli.Commands;

/// <summary><c>robegen eval</c>: metrics of a checkpoint on labeled files; the last line is machine-readable.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var data = CommonOptions.Data(true, "Labeled Criteo files (plain or .gz) to evaluate on.");
        var batchSize = CommonOptions.BatchSize(2048);
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var precision = CommonOptions.Precision();
        var skipBad = CommonOptions.SkipBadRows();
        var rejects = new Option<string>("--rejects") { Description = "Where --skip-bad-rows writes rejected lines.", DefaultValueFactory = _ => "rejects.tsv" };
        var command = new Command("eval", "Evaluate a checkpoint: AUC, logloss, accuracy and calibration; ends with 'auc=<x> logloss=<y> rows=<n>'.")
        {
            checkpoint, data, batchSize, device, threads, precision, skipBad, rejects,
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
            var runtime = new ModelOptions
            {
                Device = parse.GetValue(device),
                Threads = parse.GetValue(threads),
                MaxBatchSize = batch,
                Precision = parse.GetValue(precision),
            };
            LoadedModel loaded = ModelCheckpoint.Load(checkpointPath, ModelCatalog.Builtin.Values, runtime);
            using IDlrmBackend model = loaded.Model;
            var input = new CriteoTrainingData(files, CriteoLayout.Labeled, new CriteoReaderOptions
            {
                ParserThreads = parse.GetValue(threads),
                SkipBadRows = parse.GetValue(skipBad),
                RejectsPath = rejectsPath?.Target,
            }).ForModel(model.Declaration).WithVocabulary(loaded.CreateVocabularyMapper());
            EvaluationMetrics m = new Evaluator(model).Evaluate(input, batch);
            Console.WriteLine($"{loaded.Definition.Declaration.Name} (step {loaded.Checkpoint.Step:N0}) on {model.DeviceName}");
            Console.WriteLine(m.ToString());
            if (input.RejectedRows > 0) Console.WriteLine($"rejected rows {input.RejectedRows:N0} (written to {rejectsPath!.Given})");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"auc={m.Auc:F6} logloss={m.LogLoss:F6} rows={m.Count}"));
            return 0;
        });
        return command;
    }
}
