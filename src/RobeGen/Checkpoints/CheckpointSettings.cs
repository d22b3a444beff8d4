using System.Globalization;
using RobeGen.Backends;
using RobeGen.Initialization;

namespace RobeGen.Checkpoints;

/// <summary>
/// The model options a checkpoint must carry to rebuild the same model (embedding layout, optimizer, seed), as the
/// checkpoint's text hyperparameters; the inverse turns them back into <see cref="ModelOptions"/>.
/// </summary>
internal static class CheckpointSettings
{
    public const string Optimizer = "optimizer";
    public const string Seed = "seed";
    public const string Storage = "storage";
    public const string RobeSlots = "robe-slots";
    public const string BlockSize = "block-size";
    public const string Rows = "rows";
    /// <summary>Quotient rows of QuotientRemainder tables (0 for the others); absent in checkpoints older than that storage.</summary>
    public const string QuotientRows = "quotient-rows";

    /// <summary>Text form of everything in <paramref name="options"/> and <paramref name="layout"/> that shapes the model.</summary>
    public static Dictionary<string, string> From(ModelOptions options, EmbeddingLayout layout)
    {
        return new Dictionary<string, string>
        {
            [Optimizer] = options.Optimizer.ToString(),
            [Seed] = options.Seed.ToString(CultureInfo.InvariantCulture),
            [Storage] = string.Join(',', layout.Storage),
            [RobeSlots] = layout.RobeSlots.ToString(CultureInfo.InvariantCulture),
            [BlockSize] = layout.BlockSize.ToString(CultureInfo.InvariantCulture),
            [Rows] = string.Join(',', layout.Rows.Select(r => r.ToString(CultureInfo.InvariantCulture))),
            [QuotientRows] = string.Join(',', layout.QuotientRows.Select(q => q.ToString(CultureInfo.InvariantCulture))),
        };
    }

    /// <summary>Model options that rebuild the checkpoint's layout and optimizer (device and batch size from <paramref name="runtime"/>).</summary>
    public static ModelOptions ToModelOptions(string path, Checkpoint checkpoint, ModelDeclaration declaration, ModelOptions runtime)
    {
        IReadOnlyDictionary<string, string> h = checkpoint.Hyperparameters;
        string Get(string key) => h.TryGetValue(key, out string? v) ? v
            : throw new CheckpointException(path, $"the checkpoint lacks the setting '{key}' needed to rebuild the model.");

        EmbeddingStorage[] storage = Get(Storage).Split(',').Select(s => ParseEnum<EmbeddingStorage>(path, Storage, s)).ToArray();
        long[] rows = Get(Rows).Split(',').Select(s => ParseLong(path, Rows, s, min: 0)).ToArray();
        long[] quotientRows = h.TryGetValue(QuotientRows, out string? q)
            ? q.Split(',').Select(s => ParseLong(path, QuotientRows, s, min: 0)).ToArray()
            : new long[storage.Length];
        if (storage.Length != declaration.TableCount || rows.Length != declaration.TableCount || quotientRows.Length != declaration.TableCount)
            throw new CheckpointException(path, $"the checkpoint describes {storage.Length} tables; {declaration.Name} has {declaration.TableCount}.");

        return runtime with
        {
            Optimizer = ParseEnum<OptimizerKind>(path, Optimizer, Get(Optimizer)),
            Seed = ParseInt(path, Seed, Get(Seed)),
            Embedding = new EmbeddingOverrides
            {
                TableStorage = storage,
                RobeSlots = ParseLong(path, RobeSlots, Get(RobeSlots), min: 0) is > 0 and var m ? m : null,
                BlockSize = ParseInt(path, BlockSize, Get(BlockSize), min: 1),
                Rows = rows,
                QuotientRows = quotientRows,
            },
        };
    }

    // A setting is text from the file: only names of the enum (never numbers, which Enum.Parse would take even when
    // undefined) and plain integers are accepted, and anything else is a CheckpointException naming the setting.
    private static T ParseEnum<T>(string path, string key, string text) where T : struct, Enum =>
        Enum.GetNames<T>().Contains(text, StringComparer.Ordinal) ? Enum.Parse<T>(text)
            : throw new CheckpointException(path, $"corrupt: the setting '{key}' is '{text}', not one of {string.Join(", ", Enum.GetNames<T>())}.");

    private static long ParseLong(string path, string key, string text, long min = long.MinValue) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value >= min ? value : throw new CheckpointException(path, $"corrupt: the setting '{key}' is {value}, below {min}.")
            : throw new CheckpointException(path, $"corrupt: the setting '{key}' is '{text}', not an integer.");

    private static int ParseInt(string path, string key, string text, int min = int.MinValue) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value >= min ? value : throw new CheckpointException(path, $"corrupt: the setting '{key}' is {value}, below {min}.")
            : throw new CheckpointException(path, $"corrupt: the setting '{key}' is '{text}', not a 32-bit integer.");

    /// <summary>
    /// The layout <paramref name="options"/> describe, checked against the file before any model is allocated: the settings
    /// must make a valid layout (slots, block size, rows within the declaration's bounds, no overflow) whose embedding
    /// holds exactly the floats the file stores. A forged file with a valid checksum cannot claim more than its bytes hold.
    /// </summary>
    public static EmbeddingLayout CheckLayout(string path, IReadOnlyList<TensorShape> stored, ModelDeclaration declaration, ModelOptions options)
    {
        EmbeddingLayout layout;
        try
        {
            layout = EmbeddingLayout.FromDeclaration(declaration, options.Embedding);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw new CheckpointException(path, $"corrupt: its model settings describe no valid {declaration.Name} ({e.Message.Split(" (Parameter")[0]})", e);
        }
        long embedding = stored.FirstOrDefault(t => t.Name == ModelTensors.EmbeddingName) is { Name: not null } tensor ? tensor.Length : -1;
        if (embedding != layout.TotalParameters)
            throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture,
                $"corrupt: its settings describe {layout.TotalParameters:N0} embedding weights but the file holds {Math.Max(embedding, 0):N0}."));
        return layout;
    }
}
