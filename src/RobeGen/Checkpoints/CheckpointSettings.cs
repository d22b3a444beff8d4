using System.Globalization;
using RobeGen.Backends;

namespace RobeGen.Checkpoints;

/// <summary>
/// The model options a checkpoint must carry to rebuild the same model (embedding layout, optimizer, seed), as the
/// checkpoint's text hyperparameters; the inverse turns them back into <see cref="ModelOptions"/>.
/// </summary>
public static class CheckpointSettings
{
    public const string Optimizer = "optimizer";
    public const string Seed = "seed";
    public const string Storage = "storage";
    public const string RobeSlots = "robe-slots";
    public const string BlockSize = "block-size";
    public const string Rows = "rows";

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
        };
    }

    /// <summary>Model options that rebuild the checkpoint's layout and optimizer (device and batch size from <paramref name="runtime"/>).</summary>
    public static ModelOptions ToModelOptions(string path, Checkpoint checkpoint, ModelDeclaration declaration, ModelOptions runtime)
    {
        IReadOnlyDictionary<string, string> h = checkpoint.Hyperparameters;
        string Get(string key) => h.TryGetValue(key, out string? v) ? v
            : throw new CheckpointException(path, $"the checkpoint lacks the setting '{key}' needed to rebuild the model.");

        EmbeddingStorage[] storage = Get(Storage).Split(',').Select(s => Enum.Parse<EmbeddingStorage>(s)).ToArray();
        long[] rows = Get(Rows).Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (storage.Length != declaration.TableCount || rows.Length != declaration.TableCount)
            throw new CheckpointException(path, $"the checkpoint describes {storage.Length} tables; {declaration.Name} has {declaration.TableCount}.");

        return runtime with
        {
            Optimizer = Enum.Parse<OptimizerKind>(Get(Optimizer)),
            Seed = int.Parse(Get(Seed), CultureInfo.InvariantCulture),
            Embedding = new EmbeddingOverrides
            {
                TableStorage = storage,
                RobeSlots = long.Parse(Get(RobeSlots), CultureInfo.InvariantCulture) is > 0 and var m ? m : null,
                BlockSize = int.Parse(Get(BlockSize), CultureInfo.InvariantCulture),
                Rows = rows,
            },
        };
    }
}
