using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO.Hashing;
using System.Text;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Tests.Data;

namespace RobeGen.Tests.Checkpoints;

public class CheckpointFileTests
{
    private static ModelDeclaration Declaration(string name, string fingerprint) =>
        new(name, 13, 4, [8, 4], [8], TokenKind.RawId, 1000, 2, RobeVariant.Authors,
            ImmutableArray.Create(new EmbeddingTable("C1", 0, 0, 0, EmbeddingStorage.Robe, 0, 0)), fingerprint);

    private static Checkpoint Sample(int embeddingFloats = 37, DataPosition? position = null)
    {
        var random = new Random(5);
        var state = new ModelState();
        state.Add("bottom.0.weight", Enumerable.Range(0, 13 * 8).Select(_ => random.NextSingle() - 0.5f).ToArray());
        state.Add("bottom.0.bias", [1f, -2f, float.Epsilon, float.MaxValue, -0f, 3.5f, 0f, 1e-30f]);
        state.Add("embedding", Enumerable.Range(0, embeddingFloats).Select(i => i * 0.25f).ToArray());
        state.Add("empty", []);
        return new Checkpoint
        {
            DeclarationName = "Tests.Ctr.Model",
            Fingerprint = "f00dfeed",
            Hyperparameters = new Dictionary<string, string> { ["optimizer"] = "Sgd", ["lr"] = "0.1", ["slots"] = "1000", ["note"] = "ünïcode ✓" },
            Step = 123_456_789_012,
            Epoch = 3,
            DataPosition = position ?? new DataPosition(7, 4_000_000_001),
            State = state,
            Vocabularies = [new NamedIds("C1", [5, 9, 0xFFFFFFFF]), new NamedIds("C7", [])],
        };
    }

    [Fact]
    public void A_checkpoint_round_trips_exactly()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        Checkpoint saved = Sample();
        CheckpointFile.Save(path, saved);
        Checkpoint loaded = CheckpointFile.Load(path);

        Assert.Equal(saved.DeclarationName, loaded.DeclarationName);
        Assert.Equal(saved.Fingerprint, loaded.Fingerprint);
        Assert.Equal(saved.Hyperparameters.OrderBy(kv => kv.Key), loaded.Hyperparameters.OrderBy(kv => kv.Key));
        Assert.Equal(saved.Step, loaded.Step);
        Assert.Equal(saved.Epoch, loaded.Epoch);
        Assert.Equal(saved.DataPosition, loaded.DataPosition);
        Assert.Equal(saved.State.Tensors.Select(t => t.Key), loaded.State.Tensors.Select(t => t.Key));
        foreach ((string name, float[] values) in saved.State.Tensors)
            Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), loaded.State[name].Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(saved.Vocabularies.Count, loaded.Vocabularies.Count);
        for (int i = 0; i < saved.Vocabularies.Count; i++)
        {
            Assert.Equal(saved.Vocabularies[i].Name, loaded.Vocabularies[i].Name);
            Assert.Equal(saved.Vocabularies[i].Ids, loaded.Vocabularies[i].Ids);
        }
    }

    [Fact]
    public void The_file_starts_with_magic_and_version_and_its_bytes_are_deterministic()
    {
        using var temp = new TempFolder();
        CheckpointFile.Save(temp.File("a.rgck"), Sample());
        CheckpointFile.Save(temp.File("b.rgck"), Sample());
        byte[] a = File.ReadAllBytes(temp.File("a.rgck"));
        Assert.Equal(a, File.ReadAllBytes(temp.File("b.rgck")));
        Assert.Equal("RGCK"u8.ToArray(), a[..4]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(a.AsSpan(4)));
        Assert.Equal((ulong)a.Length, BinaryPrimitives.ReadUInt64LittleEndian(a.AsSpan(8)));
        Assert.Equal(XxHash64.HashToUInt64(a.AsSpan(0, a.Length - 8)), BinaryPrimitives.ReadUInt64LittleEndian(a.AsSpan(a.Length - 8)));
    }

    [Fact]
    public void Every_truncation_is_detected()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        CheckpointFile.Save(path, Sample());
        byte[] good = File.ReadAllBytes(path);
        string cut = temp.File("cut.rgck");
        for (int length = 0; length < good.Length; length++)
        {
            File.WriteAllBytes(cut, good.AsSpan(0, length).ToArray());
            var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(cut));
            Assert.Contains("cut.rgck", e.Message);
        }
        // Extra bytes after a good file are also refused.
        File.WriteAllBytes(cut, [.. good, 0]);
        Assert.Throws<CheckpointException>(() => CheckpointFile.Load(cut));
    }

    [Fact]
    public void A_flipped_byte_is_detected_at_every_position()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        CheckpointFile.Save(path, Sample());
        byte[] good = File.ReadAllBytes(path);
        string bad = temp.File("flipped.rgck");
        for (int i = 0; i < good.Length; i++)
        {
            byte[] copy = (byte[])good.Clone();
            copy[i] ^= (byte)(1 << (i % 8));
            File.WriteAllBytes(bad, copy);
            var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(bad));
            Assert.Contains("flipped.rgck", e.Message);
        }
    }

    [Fact]
    public void A_checkpoint_of_another_declaration_is_refused_naming_both()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        ModelDeclaration writer = Declaration("Tests.Ctr.Model", "f00dfeed");
        CheckpointFile.Save(path, Checkpoint.For(writer, Sample().State));
        Assert.Equal("f00dfeed", CheckpointFile.Load(path, writer).Fingerprint);

        var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path, Declaration("Tests.Ctr.Other", "0badcafe")));
        Assert.Contains("Tests.Ctr.Model", e.Message);
        Assert.Contains("f00dfeed", e.Message);
        Assert.Contains("Tests.Ctr.Other", e.Message);
        Assert.Contains("0badcafe", e.Message);
    }

    /// <summary>Rewrites bytes of a good file and fixes its checksum, so only the size checks can catch the lie.</summary>
    private static byte[] Forge(byte[] good, int offset, ReadOnlySpan<byte> replacement)
    {
        byte[] forged = (byte[])good.Clone();
        replacement.CopyTo(forged.AsSpan(offset));
        BinaryPrimitives.WriteUInt64LittleEndian(forged.AsSpan(forged.Length - 8), XxHash64.HashToUInt64(forged.AsSpan(0, forged.Length - 8)));
        return forged;
    }

    /// <summary>Stands for a tensor length one float more than the bytes left in the file.</summary>
    private const long OneMoreThanFits = -2;

    [Theory]
    [InlineData("tensor", long.MaxValue)]
    [InlineData("tensor", 1L << 40)]
    [InlineData("tensor", -1L)]
    [InlineData("tensor", OneMoreThanFits)]
    [InlineData("string", 0x7FFF_FFFFL)]
    [InlineData("count", 0xFFFF_FFFFL)]
    public void A_header_claiming_more_than_the_file_holds_is_refused_without_allocating_it(string field, long claim)
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        CheckpointFile.Save(path, Sample(embeddingFloats: 37));
        byte[] good = File.ReadAllBytes(path);
        byte[] name = Encoding.UTF8.GetBytes("embedding");
        int nameAt = good.AsSpan().IndexOf(name);
        byte[] forged = field switch
        {
            // The i64 element count right after the tensor name.
            "tensor" => Forge(good, nameAt + name.Length, BitConverter.GetBytes(claim != OneMoreThanFits ? claim
                : (good.Length - 8 - (nameAt + name.Length + 8)) / sizeof(float) + 1)),
            // The u32 byte count of the tensor name itself.
            "string" => Forge(good, nameAt - 4, BitConverter.GetBytes((uint)claim)),
            // The u32 tensor count, just before the first tensor's name ("bottom.0.weight").
            _ => Forge(good, good.AsSpan().IndexOf("bottom.0.weight"u8) - 8, BitConverter.GetBytes((uint)claim)),
        };
        File.WriteAllBytes(path, forged);
        var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path));
        Assert.Contains("corrupt", e.Message);
        Assert.Contains("claims", e.Message);
    }

    [Fact]
    public void An_interleaved_data_position_round_trips_as_version_2_and_an_in_order_one_stays_version_1()
    {
        using var temp = new TempFolder();
        string path = temp.File("x.rgck");
        CheckpointFile.Save(path, Sample());
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(File.ReadAllBytes(path).AsSpan(4)));

        DataPosition interleaved = new InterleavedPosition([new DataPosition(0, 4_000_000_001), new DataPosition(5, 0), new DataPosition(9, 0)], 2).AsDataPosition();
        CheckpointFile.Save(path, Sample(position: interleaved));
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Checkpoint loaded = CheckpointFile.Load(path);
        Assert.Equal(interleaved, loaded.DataPosition);
        Assert.Equal(2, loaded.DataPosition.Interleaved!.Next);
    }

    [Fact]
    public void Files_that_are_not_checkpoints_or_of_another_version_are_named_as_such()
    {
        using var temp = new TempFolder();
        string path = temp.File("x.rgck");
        File.WriteAllText(path, "this is a text file, not a checkpoint at all");
        Assert.Contains("not a RobeGen checkpoint", Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path)).Message);

        CheckpointFile.Save(path, Sample());
        byte[] good = File.ReadAllBytes(path);
        File.WriteAllBytes(path, Forge(good, 4, BitConverter.GetBytes(3u)));
        Assert.Contains("format version 3", Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path)).Message);
    }

    [Fact]
    public void Saving_leaves_no_temporary_file_and_replaces_the_old_checkpoint()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        Checkpoint first = Sample();
        CheckpointFile.Save(path, first);
        CheckpointFile.Save(path, new Checkpoint { DeclarationName = first.DeclarationName, Fingerprint = first.Fingerprint, State = first.State, Step = 99 });
        Assert.Equal(99, CheckpointFile.Load(path).Step);
        Assert.Equal(["model.rgck"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(500)]
    public void A_failed_save_keeps_the_old_checkpoint_and_removes_its_temporary_file(int failAfterBytes)
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        CheckpointFile.Save(path, Sample());
        byte[] before = File.ReadAllBytes(path);
        Checkpoint larger = Sample(embeddingFloats: 1000);
        Assert.Throws<IOException>(() => CheckpointFile.Save(path, larger, new HostStateStream(larger.State), wrapForTests: s => new FailingStream(s, failAfterBytes)));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.rgck"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    /// <summary>Passes writes through until a byte budget is spent, then fails like a full disk.</summary>
    private sealed class FailingStream(Stream inner, long budget) : Stream
    {
        private long _left = budget;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (buffer.Length > _left) throw new IOException("No space left on device (simulated).");
            _left -= buffer.Length;
            inner.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData(-1L, 0, 0, "step")]
    [InlineData(10L, -5, 0, "epoch")]
    [InlineData(10L, 0, -1, "data position")]
    public void A_forged_step_epoch_or_position_with_a_valid_checksum_is_refused(long step, int epoch, int fileIndex, string named)
    {
        using var temp = new TempFolder();
        string path = temp.File("forged.rgck");
        // Save computes a valid checksum over whatever it is given: the forgery passes every integrity check.
        Checkpoint good = Sample();
        CheckpointFile.Save(path, new Checkpoint
        {
            DeclarationName = good.DeclarationName,
            Fingerprint = good.Fingerprint,
            Hyperparameters = good.Hyperparameters,
            State = good.State,
            Step = step,
            Epoch = epoch,
            DataPosition = new DataPosition(fileIndex, 0),
        });
        var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path));
        Assert.Contains(named, e.Message);
    }
}
