using System.CommandLine;
using RobeGen.Backends;
using RobeGen.Cli.Files;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Serving;

namespace RobeGen.Cli.Commands;

/// <summary><c>robegen predict</c>: one click probability per input row, in input order.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var data = CommonOptions.Data(true,
            "Criteo TSV (test.txt layout, 39 columns, or labeled, 40; the label is ignored), or CSV with a header or Parquet (a label column is ignored).");
        var output = new Option<string>("--out") { Description = "Output file: one probability per line.", Required = true };
        var labeled = new Option<bool?>("--labeled") { Description = "Criteo TSV: force the layout (default: detected from the first line's field count)." };
        var modelAssembly = ModelChoice.AssemblyOption();
        var batchSize = CommonOptions.BatchSize(2048);
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var precision = CommonOptions.Precision();
        var listSeparator = CommonOptions.ListSeparator();
        var command = new Command("predict", "Write the click probability of every row of the input files.")
        {
            checkpoint, data, modelAssembly, output, labeled, batchSize, device, threads, precision, listSeparator,
        };
        command.SetAction(parse =>
        {
            string[] files = parse.GetValue(data)!;
            int batch = parse.GetValue(batchSize);
            string checkpointPath = parse.GetValue(checkpoint)!.FullName;
            OutputPath target = OutputPath.Check("--out", parse.GetValue(output)!,
                [.. files.Select(f => ("--data", f)), ("--checkpoint", checkpointPath)]);
            IDlrmDefinition definition = ModelChoice.ForCheckpoint(checkpointPath, parse.GetValue(modelAssembly));
            bool tabular = DataFiles.IsTabular(definition.Declaration, files, "--data");
            CriteoLayout layout = tabular ? CriteoLayout.Unlabeled : parse.GetValue(labeled) switch
            {
                true => CriteoLayout.Labeled,
                false => CriteoLayout.Unlabeled,
                null => CriteoLayoutDetector.Detect(files[0]),
            };
            ModelOptions runtime = CommonOptions.Runtime(parse, device, threads, precision, batch);
            using Predictor predictor = Predictor.Load(checkpointPath, definition, runtime);
            // Tabular files are read with the checkpoint's statistics; their tokens go through the predictor's own vocabulary.
            ITrainingData input = tabular
                ? DataFiles.Tabular(predictor.Declaration, files, labeled: false, statistics: predictor.Loaded.DenseStatistics,
                    listSeparator: CommonOptions.ListSeparatorValue(parse.GetValue(listSeparator)))
                : new CriteoTrainingData(files, layout, new CriteoReaderOptions { ParserThreads = parse.GetValue(threads) }).ForModel(predictor.Declaration);
            long rows = AtomicOutput.Write(target, stream =>
            {
                using var writer = new StreamWriter(stream);
                return predictor.PredictToWriter(input, writer, batch);
            });
            Console.WriteLine($"{rows:N0} predictions ({(tabular ? "tabular" : layout.ToString())} input) written to {target.Given}");
            return 0;
        });
        return command;
    }
}
