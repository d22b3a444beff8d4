using System.CommandLine;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Cli.Output;
using RobeGen.Models;

namespace RobeGen.Cli.Commands;

/// <summary><c>robegen inspect</c>: what a checkpoint (or a built-in model) is, without running it.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "A checkpoint to describe." };
        var model = new Option<string?>("--model") { Description = "Describe a built-in model's declaration instead (or one of --model-assembly's)." };
        var modelAssembly = ModelChoice.AssemblyOption();
        var command = new Command("inspect", "Print a checkpoint's declaration, sizes, fingerprint, step and settings (or a built-in model's declaration).")
        {
            checkpoint, model, modelAssembly,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(checkpoint) is FileInfo file)
            {
                // Verified and indexed, never read whole: a checkpoint of a model larger than this host still inspects.
                using CheckpointReader reader = CheckpointFile.Open(file.FullName);
                Checkpoint c = reader.Header;
                FileInfo? assembly = parse.GetValue(modelAssembly);
                IDlrmDefinition? definition = ModelChoice.Known(assembly).FirstOrDefault(d => d.Declaration.Name == c.DeclarationName);
                Console.WriteLine($"checkpoint     {file.FullName} ({SummaryPrinter.Bytes(file.Length)}, format v{CheckpointFile.FormatVersion}, checksum ok)");
                Console.WriteLine($"model          {c.DeclarationName}, fingerprint {c.Fingerprint}" +
                    (definition is null ? assembly is null ? " (not built in: give --model-assembly PATH, the .dll that declares it, for its declaration)"
                        : $" (not built in, nor declared in {assembly.Name})"
                        : definition.Declaration.Fingerprint == c.Fingerprint ? " (matches this build)"
                        : " (DIFFERS from this build's declaration)"));
                // Epoch counts the passes completed: at the start of the data, N passes are done (not "epoch N + 1" of a one-epoch run).
                Console.WriteLine(c.DataPosition == RobeGen.Data.DataPosition.Start
                    ? $"progress       step {c.Step:N0}, {c.Epoch} full pass(es) over the data done, next data at its start"
                    : $"progress       step {c.Step:N0}, in epoch {c.Epoch + 1}, next data at {c.DataPosition}");
                foreach ((string key, string value) in c.Hyperparameters.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    Console.WriteLine($"  {key,-14} {value}");
                long floats = reader.Tensors.Sum(t => t.Length);
                Console.WriteLine($"tensors        {reader.Tensors.Count} ({floats:N0} floats, {SummaryPrinter.Bytes(floats * 4)} with optimizer state)");
                // The hash of each tensor's bits (ChunkedFloats.ContentHash's, read in pieces): two checkpoints hold the same
                // parameters when these lines match.
                foreach ((string tensor, long length) in reader.Tensors)
                    Console.WriteLine($"  {tensor,-24} {length,14:N0}  xxh64 {reader.ContentHash(tensor):x16}");
                if (c.Vocabularies.Count > 0) Console.WriteLine($"vocabularies   {c.Vocabularies.Count} columns, {c.Vocabularies.Sum(v => (long)v.Ids.Length):N0} ids");
                if (definition is not null) Console.WriteLine(definition.Declaration);
                return 0;
            }
            if (parse.GetValue(model) is string name)
            {
                ModelDeclaration d = ModelChoice.Choose(name, parse.GetValue(modelAssembly)).Declaration;
                Console.WriteLine(d);
                ModelSize size = d.DeclaredSize;
                Console.WriteLine($"  parameters {size.Parameters:N0} ({SummaryPrinter.Bytes(size.Bytes)}); " +
                    $"full tables {SummaryPrinter.Bytes(size.FullTableEmbeddingParameters * 4)}; compression {size.CompressionRatio:N1}x");
                return 0;
            }
            Console.Error.WriteLine("robegen inspect: give --checkpoint PATH or --model NAME.");
            return 2;
        });
        return command;
    }
}
