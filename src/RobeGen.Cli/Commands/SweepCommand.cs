using System.CommandLine;
using System.Globalization;
using RobeGen.Backends;
using RobeGen.Cli.Output;
using RobeGen.Data;
using RobeGen.Metrics;
using RobeGen.Models;
using RobeGen.Lab.Study;
using RobeGen.Synthetic;
using RobeGen.Training;

namespace RobeGen.Cli.Commands;

/// <summary>
/// <c>robegen sweep</c>: every storage method at every compression ratio (and Full), several seeds, on Criteo files
/// or synthetic rows; writes results.csv (cells appended as they finish: a rerun continues), sweep.md and sweep.png.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data(false, "Training files (Criteo TSV, plain or .gz). Without them, synthetic rows are used (--synthetic-rows).");
        var evalData = new Option<string[]>("--eval-data") { Description = "Evaluation files (needed with --data).", AllowMultipleArgumentsPerToken = true };
        var syntheticRows = new Option<long>("--synthetic-rows") { Description = "Synthetic training rows (when no --data is given).", DefaultValueFactory = _ => 1_000_000 };
        var syntheticEvalRows = new Option<long>("--synthetic-eval-rows")
        {
            Description = "Synthetic evaluation rows (from row 2^48, disjoint from training).",
            DefaultValueFactory = _ => 200_000,
        };
        var methods = new Option<string[]>("--methods")
        {
            Description = "Methods to train (default all): full, hashed, qr, qr-scaled, robe-z1, robe-z4, robe-z16, robe-circular, robe-signed.",
            AllowMultipleArgumentsPerToken = true,
        };
        var ratios = new Option<double[]>("--ratios")
        {
            Description = "Compression ratios of the compressible methods.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [10, 100, 1000, 10000],
        };
        var seeds = new Option<int[]>("--seeds")
        {
            Description = "Model seeds (the spread over them is reported).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [1, 2, 3],
        };
        var model = new Option<string>("--model") { Description = $"A built-in model: {string.Join(", ", ModelCatalog.Builtin.Keys)}.", DefaultValueFactory = _ => "criteo-kaggle" };
        model.AcceptOnlyFromAmong(ModelCatalog.Builtin.Keys.ToArray());
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data.", DefaultValueFactory = _ => 1 };
        var batchSize = CommonOptions.BatchSize(128);
        var lr = new Option<float>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => 0.01f };
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "sgd or adagrad.", DefaultValueFactory = _ => OptimizerKind.Adagrad };
        var minCount = new Option<long>("--min-count") { Description = "Full tables: ids seen fewer times share row 0.", DefaultValueFactory = _ => 1 };
        var device = CommonOptions.Device();
        var precision = CommonOptions.Precision();
        var threads = CommonOptions.Threads();
        var output = new Option<string>("--out") { Description = "Folder for results.csv, sweep.md and sweep.png.", DefaultValueFactory = _ => "sweep" };
        var synthetic = new SyntheticOptions();

        var command = new Command("sweep",
            "Train every storage method at 10x..10000x compression (and Full) over several seeds; write a table and a plot of AUC and logloss against bytes.")
        {
            data, evalData, syntheticRows, syntheticEvalRows, methods, ratios, seeds, model, epochs, batchSize, lr, optimizer, minCount, device, precision, threads, output,
        };
        synthetic.AddTo(command);
        synthetic.OnlyWhen(command, r => (r.GetValue(data) ?? []).Length == 0, "without --data (the rows sweep makes when no files are given)");
        command.SetAction(parse =>
        {
            string[] files = parse.GetValue(data) ?? [], evalFiles = parse.GetValue(evalData) ?? [];
            int threadCount = parse.GetValue(threads);
            SweepData sweepData;
            if (files.Length > 0)
            {
                if (evalFiles.Length == 0) throw new ArgumentException("--data needs --eval-data: the sweep evaluates every cell on the same held-out rows.");
                sweepData = SweepData.FromFiles(files, evalFiles, new CriteoReaderOptions { ParserThreads = threadCount });
            }
            else
            {
                if (evalFiles.Length > 0) throw new ArgumentException("--eval-data needs --data.");
                sweepData = SweepData.FromSynthetic(new SyntheticGenerator(synthetic.Spec(parse)), parse.GetValue(syntheticRows), parse.GetValue(syntheticEvalRows));
            }

            IDlrmDefinition definition = ModelCatalog.Get(parse.GetValue(model)!);
            ModelDeclaration declaration = definition.Declaration;
            int batch = parse.GetValue(batchSize);
            var plan = new SweepPlan(
                definition,
                SweepMethod.Select(parse.GetValue(methods) ?? [], declaration.EmbeddingDim, declaration.BlockSize),
                parse.GetValue(ratios)!,
                parse.GetValue(seeds)!,
                new ModelOptions
                {
                    Device = parse.GetValue(device),
                    Threads = threadCount,
                    MaxBatchSize = batch,
                    Optimizer = parse.GetValue(optimizer),
                    Precision = parse.GetValue(precision)
                },
                new TrainingOptions { Epochs = parse.GetValue(epochs), BatchSize = batch, LearningRate = LearningRateSchedule.Parse("constant", parse.GetValue(lr)) },
                parse.GetValue(minCount));

            string folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            string resultsPath = Path.Combine(folder, "results.csv");
            // Cells from other data or training settings must not land in the same table.
            string settings = string.Create(CultureInfo.InvariantCulture,
                $"model {declaration.Name}\ndata {sweepData.Description}\nepochs {plan.Training.Epochs}, batch {batch}, lr {parse.GetValue(lr)}, " +
                $"{plan.Runtime.Optimizer}, {plan.Runtime.Precision}, min count {plan.MinCount}\n");
            string settingsPath = Path.Combine(folder, "settings.txt");
            if (File.Exists(settingsPath) && File.ReadAllText(settingsPath) != settings)
                throw new ArgumentException($"{folder} holds results of other settings ({settingsPath}); use another --out folder.");
            File.WriteAllText(settingsPath, settings);
            IReadOnlyList<SweepResult> known = SweepResultsFile.Load(resultsPath);
            Console.WriteLine($"sweep: {declaration.Name}, {sweepData.Description}");
            if (known.Count > 0) Console.WriteLine($"continuing: {known.Count} results already in {resultsPath}");
            IReadOnlyList<SweepResult> results = SweepRunner.Run(sweepData, plan, known, r => SweepResultsFile.Append(resultsPath, r), Console.WriteLine);

            EvaluationMetrics? teacher = sweepData.Teacher(declaration);
            string robe = $"robe-z{declaration.BlockSize}";
            // What the ratios are taken against: the data's full tables (synthetic) or the declared cardinalities.
            long fullTableBytes = (sweepData.FullRows(declaration) ?? declaration.Tables.Select(t => t.Cardinality).ToArray()).Sum()
                * declaration.EmbeddingDim * sizeof(float);
            string table = SweepReport.Markdown(results, teacher, fullTableBytes);
            IReadOnlyList<string> targets = SweepReport.Targets(results, teacher is not null, robe, fullTableBytes);
            string markdown = $"# Sweep: {declaration.Name}\n\n{sweepData.Description}\n\n{table}\n## Targets\n" + string.Concat(targets.Select(t => $"- {t}\n"));
            File.WriteAllText(Path.Combine(folder, "sweep.md"), markdown);
            string plot = Path.Combine(folder, "sweep.png");
            SweepPlot.Save(plot, SweepReport.Group(results), teacher, $"{declaration.Name}: {sweepData.Description}");
            Console.WriteLine();
            Console.Write(table);
            Console.WriteLine();
            foreach (string t in targets) Console.WriteLine(t);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\nwrote {resultsPath}, {Path.Combine(folder, "sweep.md")}, {plot}"));
            return 0;
        });
        return command;
    }
}
