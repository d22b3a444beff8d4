using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Devices;
using RobeGen.Models;
using RobeGen.Tests.Data;
using RobeGen.Tests.TestModels;
using RobeGen.Training;
using Xunit.Abstractions;

namespace RobeGen.Tests.Checkpoints;

/// <summary>
/// Damage to a real model checkpoint, loaded the way users load it (<see cref="ModelCheckpoint.Load"/>): random
/// truncations and single bit flips are all refused with a <see cref="CheckpointException"/> naming the file, forged
/// sizes never make the loader allocate more than the file holds, and nothing in the file chooses code to run.
/// </summary>
public sealed class DamagedCheckpointTests(ITestOutputHelper output)
{
    private static readonly ModelOptions Options = new() { Seed = 4, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = 8, Threads = 1 };

    private static byte[] TrainedCheckpoint(string path)
    {
        using IDlrmBackend model = Dlrm.Create(TestModel.KaggleSmall, Options);
        for (int step = 0; step < 3; step++) model.TrainStep(TestBatches.Random(TestModel.KaggleSmall.Declaration, 8, seed: step), 0.05f);
        ModelCheckpoint.Save(path, model, Options, new TrainingProgressState(3, 0, new RobeGen.Data.DataPosition(0, 24), 24));
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void Random_truncations_and_bit_flips_of_a_model_checkpoint_are_all_refused_naming_the_file()
    {
        int cases = Environment.GetEnvironmentVariable("ROBEGEN_SOAK") == "1" ? 5000 : 300;
        using var temp = new TempFolder();
        byte[] good = TrainedCheckpoint(temp.File("good.rgck"));
        using (ModelCheckpoint.Load(temp.File("good.rgck"), TestModel.KaggleSmall, Options).Model) { }
        string bad = temp.File("damaged.rgck");
        var random = new Random(77);
        int truncations = 0, flips = 0;
        var reasons = new Dictionary<string, int>();
        for (int i = 0; i < cases; i++)
        {
            byte[] damaged;
            if (i % 3 == 0)
            {
                damaged = good[..random.Next(good.Length)];
                truncations++;
            }
            else
            {
                damaged = (byte[])good.Clone();
                // Half the flips land in the first 200 bytes (header and settings), half anywhere (mostly tensors).
                int at = i % 2 == 0 ? random.Next(Math.Min(200, good.Length)) : random.Next(good.Length);
                damaged[at] ^= (byte)(1 << random.Next(8));
                flips++;
            }
            File.WriteAllBytes(bad, damaged);
            var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(bad, TestModel.KaggleSmall, Options));
            Assert.Contains(bad, e.Message);
            string reason = e.Problem.Split(':')[0];
            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
        }
        output.WriteLine($"{good.Length:N0}-byte checkpoint: {truncations} truncations and {flips} bit flips, all refused; " +
                         string.Join(", ", reasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} x{r.Value}")));
    }

    /// <summary>Rewrites bytes and fixes the checksum, so only the loader's size checks stand between the lie and an allocation.</summary>
    private static byte[] Forge(byte[] good, int offset, ReadOnlySpan<byte> replacement)
    {
        byte[] forged = (byte[])good.Clone();
        replacement.CopyTo(forged.AsSpan(offset));
        BinaryPrimitives.WriteUInt64LittleEndian(forged.AsSpan(forged.Length - 8), XxHash64.HashToUInt64(forged.AsSpan(0, forged.Length - 8)));
        return forged;
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(1L << 40)]
    [InlineData(1L << 28)]
    [InlineData(int.MaxValue)]
    public void A_forged_tensor_size_allocates_no_more_than_the_file_could_hold(long claimedFloats)
    {
        using var temp = new TempFolder();
        byte[] good = TrainedCheckpoint(temp.File("good.rgck"));
        string forged = temp.File("forged.rgck");
        // Every tensor's i64 length field gets the claim in turn.
        string[] names = ["bottom.0.weight", "embedding", "adagrad.embedding", "top.1.bias"];
        foreach (string name in names)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(name);
            int lengthAt = IndexOfString(good, utf8) + utf8.Length;
            File.WriteAllBytes(forged, Forge(good, lengthAt, BitConverter.GetBytes(claimedFloats)));
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(forged));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Contains("claims", e.Message);
            // The file's own bytes plus the two 1 MiB I/O buffers: a claim is never allocated before it is checked.
            Assert.True(allocated < good.Length + (3L << 20), $"{name}: {allocated:N0} bytes allocated for a {good.Length:N0}-byte file");
        }
    }

    private static int IndexOfString(byte[] file, byte[] utf8)
    {
        // A string field is its u32 length then its bytes: match both, so a name inside another name is not taken.
        byte[] field = [.. BitConverter.GetBytes((uint)utf8.Length), .. utf8];
        int at = file.AsSpan().IndexOf(field);
        Assert.True(at >= 0);
        return at + 4;
    }

    [Theory]
    [InlineData("System.Diagnostics.Process")]
    [InlineData("System.Diagnostics.Process, System.Diagnostics.Process, Version=10.0.0.0")]
    [InlineData("RobeGen.Models.CriteoKaggle, RobeGen")]
    [InlineData("RobeGen.Tests.TestModels.TestModel")]
    public void A_declaration_name_in_the_file_never_selects_a_type_only_a_built_in_model_by_exact_name(string declared)
    {
        using var temp = new TempFolder();
        string path = temp.File("named.rgck");
        TrainedCheckpoint(path);
        Checkpoint checkpoint = CheckpointFile.Load(path);
        CheckpointFile.Save(path, new Checkpoint
        {
            DeclarationName = declared,
            Fingerprint = checkpoint.Fingerprint,
            Hyperparameters = checkpoint.Hyperparameters,
            State = checkpoint.State,
        });
        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(path, ModelCatalog.Builtin.Values));
        Assert.Contains("not one of the known models", e.Message);
        Assert.Contains(declared, e.Message);
    }

    [Theory]
    [InlineData(CheckpointSettings.Optimizer, "42")]
    [InlineData(CheckpointSettings.Optimizer, "System.Object")]
    [InlineData(CheckpointSettings.Storage, "Robe,7")]
    [InlineData(CheckpointSettings.Seed, "99999999999")]
    [InlineData(CheckpointSettings.RobeSlots, "1e9")]
    public void A_forged_setting_is_a_checkpoint_error_naming_it(string key, string value)
    {
        using var temp = new TempFolder();
        string path = temp.File("settings.rgck");
        TrainedCheckpoint(path);
        Checkpoint checkpoint = CheckpointFile.Load(path);
        var settings = checkpoint.Hyperparameters.ToDictionary();
        settings[key] = key == CheckpointSettings.Storage ? string.Join(',', Enumerable.Repeat(value, 13)) : value;
        CheckpointFile.Save(path, new Checkpoint
        {
            DeclarationName = checkpoint.DeclarationName,
            Fingerprint = checkpoint.Fingerprint,
            Hyperparameters = settings,
            State = checkpoint.State,
        });
        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(path, TestModel.KaggleSmall, Options));
        Assert.Contains($"'{key}'", e.Message);
    }

    /// <summary>
    /// The loader's code has no way to turn file contents into code: no reflection by name, no serializer that records
    /// types. A source check, so that a future edit adding one fails here and is looked at.
    /// </summary>
    [Fact]
    public void The_checkpoint_code_uses_no_type_by_name_loading()
    {
        string root = Repository.Root;
        string[] files = [.. Directory.GetFiles(Path.Combine(root, "src/RobeGen/Checkpoints"), "*.cs"), Path.Combine(root, "src/RobeGen/Models/ModelCatalog.cs")];
        string[] forbidden = ["Type.GetType", "Activator.", "Assembly.Load", "BinaryFormatter", "TypeNameHandling", "GetMethod(", "MethodInfo", "JsonSerializer", "XmlSerializer", "DataContract"];
        foreach (string file in files)
        {
            string text = File.ReadAllText(file);
            foreach (string api in forbidden) Assert.False(text.Contains(api, StringComparison.Ordinal), $"{Path.GetFileName(file)} uses {api}");
        }
        Assert.True(files.Length >= 8);
    }
}
