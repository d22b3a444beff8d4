using RobeGen.Cli.Files;
using System.CommandLine;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Cli.Output;
using RobeGen.Models;
using RobeGen.Onnx;

namespace RobeGen.Cli.Commands;

/// <summary><c>robegen export</c>: a checkpoint as one standard ONNX file (docs/onnx.md).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var output = new Option<FileInfo>("--out")
        {
            Description = "The ONNX file to write (replaced atomically if it exists).",
            Required = true,
        };
        var modelAssembly = ModelChoice.AssemblyOption();
        var command = new Command("export", "Write a checkpoint as an ONNX model (opset 17) for ONNX Runtime, Triton or ML.NET.")
        {
            checkpoint, output, modelAssembly,
        };
        command.SetAction(parse =>
        {
            FileInfo source = parse.GetValue(checkpoint)!, target = parse.GetValue(output)!;
            if (string.Equals(Path.GetFullPath(source.FullName), Path.GetFullPath(target.FullName), StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"robegen export: --out {target} is the checkpoint itself; name another file.");
                return 2;
            }
            if (Directory.Exists(target.FullName))
            {
                Console.Error.WriteLine($"robegen export: --out {target} is a directory; name a file such as {Path.Combine(target.ToString(), "model.onnx")}.");
                return 2;
            }
            string? folder = Path.GetDirectoryName(Path.GetFullPath(target.FullName));
            if (folder is not null && !Directory.Exists(folder))
            {
                Console.Error.WriteLine($"robegen: error: --out {target}: the folder {folder} does not exist.");
                return 1;
            }
            // The shared output checks: a link is written through (not replaced), a loop or an unwritable folder is refused,
            // and a device or FIFO is refused (the file is renamed into place, which would replace the node).
            OutputPath outPath = OutputPath.Check("--out", target.ToString(), [("--checkpoint", source.FullName)], allowSpecial: false);
            // The export reads the weights on the host: load on the CPU whatever device trained the model.
            LoadedModel loaded = ModelChoice.Load(source.FullName, parse.GetValue(modelAssembly), new ModelOptions { Device = DeviceKind.Cpu });
            using IDlrmBackend model = loaded.Model;
            OnnxExporter.Export(loaded, outPath.Target);
            ModelDeclaration declaration = model.Declaration;
            Console.WriteLine($"exported {declaration.Name} (step {loaded.Checkpoint.Step:N0}) to {target.FullName} " +
                $"({SummaryPrinter.Bytes(new FileInfo(outPath.Target).Length)}, ONNX opset {OnnxExporter.Opset})");
            Console.WriteLine($"inputs   {OnnxExporter.DenseInput}: float[batch, {declaration.DenseFeatures}] raw dense values; " + TableInputs(declaration));
            Console.WriteLine($"output   {OnnxExporter.ProbabilityOutput}: float[batch] click probability");
            return 0;
        });
        return command;
    }

    /// <summary>The tables' inputs as the export line lists them: single-hot ids, then each multi-hot table's jagged pair.</summary>
    private static string TableInputs(ModelDeclaration declaration)
    {
        var parts = new List<string>();
        string[] single = [.. declaration.Tables.Where(t => !t.IsMultiHot).Select(t => t.Name)];
        if (single.Length > 0) parts.Add($"{string.Join(", ", single)}: int64[batch] raw ids");
        foreach (EmbeddingTable table in declaration.Tables.Where(t => t.IsMultiHot))
            parts.Add($"{OnnxExporter.BagValues(table)}: int64[ids] + {OnnxExporter.BagLengths(table)}: int64[batch] {table.Pooling}-pooled bags (values, lengths)");
        return string.Join("; ", parts);
    }
}
