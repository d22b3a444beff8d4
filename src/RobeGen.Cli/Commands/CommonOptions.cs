using System.CommandLine;
using RobeGen.Backends;

namespace RobeGen.Cli.Commands;

/// <summary>Options that several commands share, with one definition each.</summary>
internal static class CommonOptions
{
    public static Option<DeviceKind> Device() => new("--device")
    {
        Description = "Where the model runs: cpu, cuda, or auto (CUDA when a GPU is present, else the CPU).",
        DefaultValueFactory = _ => DeviceKind.Cpu,
    };

    public static Option<Precision> Precision(string? description = null) => new("--precision")
    {
        Description = description ?? "Arithmetic of the MLPs: fp32; tf32 or bf16 (CUDA: tensor cores, FP32 master weights); " +
            "int8 (CPU predictions: 8-bit weights, 7-bit activations). docs/model-math.md has the math.",
        DefaultValueFactory = _ => Backends.Precision.Fp32,
    };

    /// <summary>Largest --threads: far above any core count, and below the point where thread creation itself fails.</summary>
    public const int MaxThreads = 1024;

    /// <summary>Largest --batch-size: the MLP activations of one batch (rows x 1,024 floats a layer) must fit in memory.</summary>
    public const int MaxBatchSize = 1 << 18;

    public static Option<int> Threads() => new Option<int>("--threads")
    {
        Description = "CPU threads for the model, the parser and the Parquet decoders (0 = all cores).",
        DefaultValueFactory = _ => 0,
    }.Between(0, MaxThreads);

    public static Option<string[]> Data(bool required, string description) => new("--data")
    {
        Description = description,
        Required = required,
        AllowMultipleArgumentsPerToken = true,
        Arity = required ? ArgumentArity.OneOrMore : ArgumentArity.ZeroOrMore,
    };

    public static Option<FileInfo> Checkpoint() => new("--checkpoint")
    {
        Description = "A checkpoint written by 'robegen train --save'.",
        Required = true,
    };

    public static Option<int> BatchSize(int defaultValue) => new Option<int>("--batch-size")
    {
        Description = "Rows per batch.",
        DefaultValueFactory = _ => defaultValue,
    }.Between(1, MaxBatchSize);

    public static Option<string?> ListSeparator() => new Option<string?>("--list-separator")
    {
        Description = "CSV/TSV: the character between the ids of a multi-hot (list) cell; default '|', or ',' in a '|'-delimited file.",
    }.OneCharacter();

    /// <summary>The --list-separator character (checked to be one while parsing); null when not given.</summary>
    public static char? ListSeparatorValue(string? value) => value is { Length: 1 } ? value[0] : null;

    public static Option<bool> SkipBadRows() => new("--skip-bad-rows")
    {
        Description = "Leave out malformed lines instead of stopping: they are counted, reported and written verbatim to a rejects file.",
    };

    /// <summary>
    /// How a loaded checkpoint runs for eval and predict: the shared --device, --threads and --precision, the batch size,
    /// and library notices on stderr.
    /// </summary>
    public static ModelOptions Runtime(ParseResult parse, Option<DeviceKind> device, Option<int> threads, Option<Precision> precision, int batch) => new()
    {
        Device = parse.GetValue(device),
        Threads = parse.GetValue(threads),
        MaxBatchSize = batch,
        Precision = parse.GetValue(precision),
        Logger = Output.StderrLogger.Instance,
    };
}
