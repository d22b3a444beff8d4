using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Cpu;
using RobeGen.Initialization;
using RobeGen.Tests.Data;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Checkpoints;

/// <summary>Tensors held in several chunks (an embedding past one array): the host store, checkpoints and imports across chunk boundaries.</summary>
public sealed class ChunkedStateTests
{
    private static ChunkedFloats Numbered(long length, int chunkLength)
    {
        ChunkedFloats values = ChunkedFloats.Allocate(length, chunkLength);
        for (long i = 0; i < length; i++) values[i] = i * 0.5f - 7f;
        return values;
    }

    [Fact]
    public void Chunks_cover_the_tensor_and_copies_cross_their_boundaries()
    {
        ChunkedFloats values = Numbered(23, 5);
        Assert.Equal([5, 5, 5, 5, 3], values.Chunks.Select(c => c.Length));
        Assert.Equal(15, values.ChunkStart(3));
        Assert.Equal(12 * 0.5f - 7f, values.Chunks[2][2]);
        var middle = new float[9];
        values.CopyTo(middle, start: 4);
        Assert.Equal(Enumerable.Range(4, 9).Select(i => i * 0.5f - 7f), middle);
        values.CopyFrom([100f, 101f, 102f, 103f], start: 8);
        Assert.Equal([100f, 101f], values.Chunks[1][3..]);
        Assert.Equal([102f, 103f], values.Chunks[2][..2]);
        Assert.Equal(values.ToArray(), Enumerable.Range(0, 23).Select(i => values[i]));
        Assert.Throws<ArgumentException>(() => values.CopyTo(new float[5], start: 19));
        Assert.Throws<ArgumentOutOfRangeException>(() => values[23]);
        Assert.False(values.BitEquals(Numbered(23, 5)));
        Assert.True(Numbered(23, 4).BitEquals(Numbered(23, 7)));
    }

    [Fact]
    public void The_content_hash_is_xxh64_of_the_float_bytes_whatever_the_chunking()
    {
        float[] flat = Numbered(23, 23).ToArray();
        ulong expected = System.IO.Hashing.XxHash64.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(flat.AsSpan()));
        Assert.Equal(expected, Numbered(23, 5).ContentHash());
        Assert.Equal(expected, ChunkedFloats.Wrap(flat).ContentHash());
        flat[22] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(flat[22]) ^ 1); // one bit
        Assert.NotEqual(expected, ChunkedFloats.Wrap(flat).ContentHash());
    }

    private static Checkpoint WithEmbedding(ChunkedFloats embedding)
    {
        var state = new ModelState();
        state.Add("bottom.0.weight", [1f, -2f, 0.25f]);
        state.Add("embedding", embedding);
        state.Add("adagrad.embedding", ChunkedFloats.Allocate(embedding.Length, 6));
        return new Checkpoint { DeclarationName = "Tests.Chunked", Fingerprint = "c0ffee", Step = 3, State = state };
    }

    [Fact]
    public void A_chunked_embedding_streams_into_the_same_file_and_reads_back_bit_exact_in_any_chunking()
    {
        using var temp = new TempFolder();
        string chunkedPath = temp.File("chunked.rgck"), wholePath = temp.File("whole.rgck");
        ChunkedFloats embedding = Numbered(1000, 64);
        embedding[500] = -0f;
        embedding[999] = float.Epsilon;
        CheckpointFile.Save(chunkedPath, WithEmbedding(embedding));
        CheckpointFile.Save(wholePath, WithEmbedding(ChunkedFloats.Wrap(embedding.ToArray())));
        // Same bytes: the format is unchanged, so files written before chunking load, and older builds read these.
        Assert.Equal(File.ReadAllBytes(wholePath), File.ReadAllBytes(chunkedPath));

        Checkpoint loaded = CheckpointFile.Load(chunkedPath, chunkLength: 100);
        ChunkedFloats back = loaded.State.Chunked("embedding");
        Assert.Equal(10, back.Chunks.Count);
        Assert.True(back.BitEquals(embedding));
        Assert.True(loaded.State.Chunked("adagrad.embedding").BitEquals(ChunkedFloats.Allocate(1000, 1000)));
        Assert.True(CheckpointFile.Load(chunkedPath).State.Chunked("embedding").IsSingleArray);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)] // pieces that end inside the saved chunks of 64
    [InlineData(1 << 20)]
    public void A_tensor_hashed_as_it_is_read_from_the_file_hashes_as_it_does_read_whole(int pieceLength)
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        CheckpointFile.Save(path, WithEmbedding(Numbered(1000, 64)));
        Checkpoint whole = CheckpointFile.Load(path);
        using CheckpointReader reader = CheckpointFile.Open(path);
        Assert.Equal(whole.State.ChunkedTensors.Select(t => (t.Key, t.Value.Length)), reader.Tensors.Select(t => (t.Name, t.Length)));
        foreach ((string name, ChunkedFloats values) in whole.State.ChunkedTensors) Assert.Equal(values.ContentHash(), reader.ContentHash(name, pieceLength));
    }

    [Fact]
    public void A_corrupted_byte_inside_a_middle_chunk_is_caught_by_the_checksum()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        ChunkedFloats embedding = Numbered(1000, 64);
        CheckpointFile.Save(path, WithEmbedding(embedding));
        byte[] bytes = File.ReadAllBytes(path);
        // Element 300 (chunk 4 of 64-float chunks) sits 4 * 300 bytes after the first embedding float.
        byte[] first = BitConverter.GetBytes(embedding[0]), marker = [.. first, .. BitConverter.GetBytes(embedding[1])];
        int start = bytes.AsSpan().IndexOf(marker);
        Assert.True(start > 0);
        bytes[start + 4 * 300 + 1] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path, chunkLength: 64));
        Assert.Contains("checksum", e.Problem);
    }

    [Fact]
    public void The_cpu_backend_imports_a_chunked_state_as_it_imports_one_array()
    {
        TestModel model = TestModel.Tiny(storage: EmbeddingStorage.Hashed);
        var layout = EmbeddingLayout.FromDeclaration(model.Declaration);
        var options = new ModelOptions { Device = DeviceKind.Cpu, MaxBatchSize = 4, Optimizer = OptimizerKind.Adagrad, Seed = 2 };
        ModelState chunked = ModelInitializer.Create(layout, OptimizerKind.Adagrad, 9, chunkLength: 3);
        for (long i = 0; i < chunked.Chunked("adagrad.embedding").Length; i++) chunked.Chunked("adagrad.embedding")[i] = i;
        using var backend = new CpuDlrmBackend(model, options);
        backend.ImportState(chunked);
        ModelState exported = backend.ExportState();
        foreach (var (name, values) in chunked.ChunkedTensors) Assert.True(values.BitEquals(exported.Chunked(name)), name);
    }
}
