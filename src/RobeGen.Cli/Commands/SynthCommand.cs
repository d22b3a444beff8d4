using RobeGen.Cli.Files;
using System.Text;
using System.IO.Compression;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RobeGen.Metrics;
using RobeGen.Synthetic;

namespace RobeGen.Cli.Commands;

/// <summary><c>robegen synth</c>: writes Criteo-shaped synthetic rows with a known best-achievable AUC.</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var rows = new Option<long>("--rows") { Description = "Rows to write.", Required = true };
        var output = new Option<string>("--out") { Description = "Output file: Criteo TSV, gzip when it ends in .gz.", Required = true };
        var firstRow = new Option<long>("--first-row")
        {
            Description = "Index of the first row (a different range gives different rows of the same data set).",
            DefaultValueFactory = _ => 0,
        };
        var eval = new Option<bool>("--eval") { Description = "Write the evaluation range (rows from 2^48, the range robegen sweep evaluates on) instead of --first-row." };
        var teacherRows = new Option<long>("--teacher-rows")
        {
            Description = "Rows of the written range the teacher's AUC is measured on (0: none).",
            DefaultValueFactory = _ => 1_000_000,
        }.AtLeast(0); // a negative count was taken as 0 without a word
        var threads = CommonOptions.Threads();
        var model = new Option<string?>("--model")
        {
            Description = "A multi-hot model (criteo-terabyte-dcnv2-multihot, or one of --model-assembly): write CSV under its column names, " +
                "each multi-hot cell a '|'-separated bag of about its table's hotness ids, instead of Criteo TSV.",
        };
        var assembly = ModelChoice.AssemblyOption();
        var synthetic = new SyntheticOptions();
        var command = new Command("synth", "Write synthetic Criteo-shaped rows (13 dense + 26 categorical, Zipf tokens, labels from a hidden teacher) and print the teacher's AUC.")
        {
            rows, output, firstRow, eval, teacherRows, threads, model, assembly,
        };
        synthetic.AddTo(command);
        command.SetAction(parse =>
        {
            SyntheticSpec spec = synthetic.Spec(parse);
            long count = parse.GetValue(rows), start = parse.GetValue(eval) ? SyntheticTrainingData.EvaluationRowBase : parse.GetValue(firstRow);
            ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, "--rows");
            string path = parse.GetValue(output)!;
            // Checked before any row is drawn; written to a temporary file renamed into place, so a failed or stopped
            // run leaves no half-written file.
            OutputPath target = OutputPath.Check("--out", path, []);
            var generator = new SyntheticGenerator(spec);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"synthetic data: seed {spec.Seed}, {spec.Cardinalities.Sum():N0} distinct tokens over 26 columns, Zipf {spec.ZipfExponent}, " +
                $"target CTR {spec.TargetCtr}, teacher bias {generator.Bias:F3}"));
            var clock = Stopwatch.StartNew();
            if (parse.GetValue(model) is { } name)
                return WriteBags(ModelChoice.Choose(name, parse.GetValue(assembly)), generator, start, count, target, clock, parse.GetValue(teacherRows));
            AtomicOutput.Write(target, stream =>
            {
                if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                {
                    SyntheticTsvWriter.Write(generator, start, count, stream, parse.GetValue(threads));
                    return 0;
                }
                using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
                SyntheticTsvWriter.Write(generator, start, count, gzip, parse.GetValue(threads));
                return 0;
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {count:N0} rows ({start:N0}..{start + count - 1:N0}) to {path} in {clock.Elapsed.TotalSeconds:F1} s ({count / clock.Elapsed.TotalSeconds:N0} rows/s)"));
            PrintTeacher(generator, start, Math.Min(count, parse.GetValue(teacherRows)));
            return 0;
        });
        return command;
    }

    /// <summary>The teacher's AUC on the first <paramref name="measured"/> written rows (none for 0), scored on the rows
    /// <paramref name="generator"/> drew: single-hot, or a multi-hot model's bags.</summary>
    private static void PrintTeacher(SyntheticGenerator generator, long start, long measured)
    {
        if (measured <= 0) return;
        EvaluationMetrics teacher = TeacherQuality.Measure(generator, start, measured);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"teacher on the first {measured:N0} of these rows (the best achievable): AUC {teacher.Auc:F4}, logloss {teacher.LogLoss:F4}, CTR {teacher.ObservedCtr:F4}"));
    }

    /// <summary>A multi-hot model's rows as CSV, and the teacher's AUC on the first <paramref name="teacherRows"/> of them.</summary>
    private static int WriteBags(IDlrmDefinition definition, SyntheticGenerator generator, long start, long count, OutputPath target, Stopwatch clock, long teacherRows)
    {
        ModelDeclaration declaration = definition.Declaration;
        if (!declaration.HasMultiHotTables)
            throw new CliException($"--model {declaration.Name.Split('.')[^1]}: not a multi-hot model; leave --model out for Criteo TSV, which single-hot models read.", 2);
        string path = target.Given;
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            throw new CliException("--out: a multi-hot model's rows are written as plain CSV; give a .csv path.", 2);
        try
        {
            AtomicOutput.Write(target, stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 1 << 20, leaveOpen: true);
                SyntheticCsvWriter.Write(generator, declaration, start, count, writer);
                return 0;
            });
        }
        catch (ArgumentException e) when (e.ParamName == "declaration")
        {
            throw new CliException($"--model {declaration.Name.Split('.')[^1]}: {CliErrors.OneLine(e)}", 2);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {count:N0} multi-hot rows ({start:N0}..{start + count - 1:N0}) of {declaration.Name.Split('.')[^1]} to {path} in {clock.Elapsed.TotalSeconds:F1} s " +
            $"(bags of 1 .. 2h - 1 ids, mean h = each table's hotness)"));
        PrintTeacher(generator.ForMultiHot(declaration), start, Math.Min(count, teacherRows));
        return 0;
    }
}
