using System.CommandLine;
using RobeGen.Backends;
using RobeGen.Cli.Files;
using RobeGen.Data;
using RobeGen.Models;
using RobeGen.Serving;

namespace RobeGen.Cli.Commands;

/// <summary><c>robegen predict</c>: one click probability per input row, in input order.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var data = CommonOptions.Data(true, "Criteo files: test.txt layout (39 columns, no label) or labeled (40 columns; the label is ignored).");
        var output = new Option<string>("--out") { Description = "Output file: one probability per line.", Required = true };
        var labeled = new Option<bool?>("--labeled") { Description = "Force the layout (default: detected from the first line's field count)." };
        var batchSize = CommonOptions.BatchSize(2048);
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var precision = CommonOptions.Precision();
        var command = new Command("predict", "Write the click probability of every row of the input files.")
        {
            checkpoint, data, output, labeled, batchSize, device, threads, precision,
        };
        command.SetAction(parse =>
        {
            string[] files = parse.GetValue(data)!;
            int batch = parse.GetValue(batchSize);
            string checkpointPath = parse.GetValue(checkpoint)!.FullName;
            OutputPath target = OutputPath.Check("--out", parse.GetValue(output)!,
                [.. files.Select(f => ("--data", f)), ("--checkpoint", checkpointPath)]);
            CriteoLayout layout = parse.GetValue(labeled) switch
            {
                true => CriteoLayout.Labeled,
                false => CriteoLayout.Unlabeled,
                null => CriteoLayoutDetector.Detect(files[0]),
            };
            var runtime = new ModelOptions
            {
                Device = parse.GetValue(device),
                Threads = parse.GetValue(threads),
                MaxBatchSize = batch,
                Precision = parse.GetValue(precision),
            };
            using Predictor predictor = Predictor.Load(checkpointPath, ModelCatalog.Builtin.Values, runtime);
            var input = new CriteoTrainingData(files, layout, new CriteoReaderOptions { ParserThreads = parse.GetValue(threads) });
            long rows = AtomicOutput.Write(target, stream =>
            {
                using var writer = new StreamWriter(stream);
                return predictor.PredictToWriter(input.ForModel(predictor.Declaration), writer, batch);
            });
            Console.WriteLine($"{rows:N0} predictions ({layout} input) written to {target.Given}");
            return 0;
        });
        return command;
    }
}
