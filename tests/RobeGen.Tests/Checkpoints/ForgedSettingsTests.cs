using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Devices;
using RobeGen.Tests.Data;
using RobeGen.Tests.TestModels;
using RobeGen.Training;

namespace RobeGen.Tests.Checkpoints;

/// <summary>
/// A checkpoint whose model settings were forged (the checksum recomputed, so every integrity check passes) is refused
/// naming the setting or the mismatch, before the model is allocated: it cannot claim more weights than its bytes hold.
/// </summary>
public sealed class ForgedSettingsTests
{
    private static readonly ModelOptions Options = new() { Seed = 4, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = 8, Threads = 1 };

    public static TheoryData<string, string, string> Forgeries => new()
    {
        { "robe-slots", "2000000000", "embedding weights" },
        { "robe-slots", "100000000", "embedding weights" },
        { "robe-slots", "-1", "robe-slots" },
        { "block-size", "0", "block-size" },
        { "block-size", "-7", "block-size" },
        { "rows", "full:4611686018427387904", "describe no valid" },
        { "rows", "full:1000000", "embedding weights" },
        { "quotient-rows", "qr:-1000", "quotient-rows" },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void A_forged_setting_is_refused_before_allocating(string key, string value, string named)
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        using (IDlrmBackend model = Dlrm.Create(TestModel.KaggleSmall, Options))
            ModelCheckpoint.Save(path, model, Options, TrainingProgressState.Start with { Step = 1 });
        Checkpoint good = CheckpointFile.Load(path);
        var settings = new Dictionary<string, string>(good.Hyperparameters);
        int tables = settings["storage"].Split(',').Length;
        string Each(string v) => string.Join(',', Enumerable.Repeat(v, tables));
        // "full:N" and "qr:N" switch every table's storage too, so that rows (or quotient rows) are what the model reads.
        if (value.StartsWith("full:", StringComparison.Ordinal))
        {
            settings["storage"] = Each("Full");
            value = Each(value[5..]);
        }
        else if (value.StartsWith("qr:", StringComparison.Ordinal))
        {
            settings["storage"] = Each("QuotientRemainder");
            settings["rows"] = Each("10");
            value = Each(value[3..]);
        }
        settings[key] = value;
        CheckpointFile.Save(path, new Checkpoint
        {
            DeclarationName = good.DeclarationName,
            Fingerprint = good.Fingerprint,
            Hyperparameters = settings,
            Step = good.Step,
            Epoch = good.Epoch,
            DataPosition = good.DataPosition,
            State = good.State,
        });

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(path, TestModel.KaggleSmall, Options));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(named, e.Message);
        Assert.True(allocated < new FileInfo(path).Length * 2 + (8 << 20), $"allocated {allocated:N0} bytes for a {new FileInfo(path).Length:N0}-byte file");
    }

    [Fact]
    public void A_model_larger_than_the_memory_available_is_refused_before_allocating()
    {
        var layout = EmbeddingLayout.FromDeclaration(TestModel.KaggleSmall.Declaration);
        long need = ModelMemory.StateBytes(layout, Options);
        ModelMemory.ThrowIfTooLarge(layout, Options, availableBytes: need);
        var e = Assert.Throws<InsufficientMemoryException>(() => ModelMemory.ThrowIfTooLarge(layout, Options, availableBytes: need - 1));
        Assert.Contains("GiB", e.Message);
        var huge = Assert.Throws<InsufficientMemoryException>(() =>
            Dlrm.Create(TestModel.KaggleSmall, Options with { Embedding = new EmbeddingOverrides { RobeSlots = 1L << 40 } }));
        Assert.Contains("weights and optimizer state", huge.Message);
    }
}
