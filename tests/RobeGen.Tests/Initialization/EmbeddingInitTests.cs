using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Cuda;
using RobeGen.Initialization;
using RobeGen.Models;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Initialization;

/// <summary>The counter-based embedding initialization (docs/model-math.md) and the 64-bit layout arithmetic of big Full tables.</summary>
public sealed class EmbeddingInitTests
{
    [Fact]
    public void Keys_bits_and_draws_match_the_documented_formula_golden_values()
    {
        // Computed independently (Python, integer arithmetic and IEEE single rounding) from the formula in docs/model-math.md.
        Assert.Equal(0xED4A70DC307F0018UL, EmbeddingInit.Key(0));
        Assert.Equal(0x3EE728CC539E639CUL, EmbeddingInit.Key(1));
        Assert.Equal(0x9135D25A71CB675AUL, EmbeddingInit.Key(-7));
        ulong key = EmbeddingInit.Key(1);
        (long Index, ulong Bits, uint Draw)[] golden =
        [
            (0, 0x78AC651967D3D733UL, 0xBA160C66u),
            (1, 0x01305E57557D3183UL, 0xBC225173u),
            (2_147_483_653, 0xE2009950A72A14A5UL, 0x3BFAE2CFu), // 2^31 + 5: the index must stay 64-bit
            (5_000_000_000, 0x15C3B23E9CF74EA9UL, 0xBC07FB45u),
        ];
        foreach (var (index, bits, draw) in golden)
        {
            Assert.Equal(bits, EmbeddingInit.Bits(key, index));
            Assert.Equal(draw, BitConverter.SingleToUInt32Bits(EmbeddingInit.Draw(key, index, 0f, 0.01)));
        }
        // A QuotientRemainder reference draw: center (1 + a) / 2 rounded to float, half (1 - a) / 2, a = sqrt(1 / 12).
        double low = Math.Sqrt(1.0 / 12);
        Assert.Equal(0x3EC8D29Cu, BitConverter.SingleToUInt32Bits(EmbeddingInit.Draw(EmbeddingInit.Key(42), 3, (float)((1 + low) / 2), (1 - low) / 2)));
    }

    [Fact]
    public void Indices_past_2_pow_32_do_not_wrap_onto_small_ones()
    {
        ulong key = EmbeddingInit.Key(9);
        for (long i = 0; i < 64; i++)
        {
            Assert.NotEqual(EmbeddingInit.Bits(key, i), EmbeddingInit.Bits(key, i + (1L << 32)));
            Assert.NotEqual(EmbeddingInit.Bits(key, i), EmbeddingInit.Bits(key, i + (1L << 31)));
        }
    }

    [Fact]
    public void The_initializer_draws_each_region_with_its_documented_bounds_from_the_shared_function()
    {
        TestModel model = TestModel.Create(denseFeatures: 3, dim: 4, bottom: [5, 4], top: [6], slots: 50, blockSize: 2,
            tables: [new(400), new(30, EmbeddingStorage.Full), new(50, EmbeddingStorage.Hashed, 7), new(20, EmbeddingStorage.QuotientRemainder, 5)]);
        var layout = EmbeddingLayout.FromDeclaration(model.Declaration);
        float[] embedding = ModelInitializer.Create(layout, OptimizerKind.Sgd, 5)["embedding"];
        Assert.Equal(layout.TotalParameters, embedding.Length);
        ulong key = EmbeddingInit.Key(5);
        double qrLow = Math.Sqrt(1.0 / (4 * 5)); // Q = ceil(20 / 5) = 4, R = 5
        for (long i = 0; i < embedding.Length; i++)
        {
            (float center, double half) = i switch
            {
                < 50 => (0f, Math.Sqrt(1.0 / 400)),                       // ROBE: the largest cardinality
                < 50 + 30 * 4 => (0f, Math.Sqrt(1.0 / 30)),               // Full: its rows
                < 50 + 30 * 4 + 7 * 4 => (0f, Math.Sqrt(1.0 / 7)),        // Hashed: its rows
                _ => ((float)((1 + qrLow) / 2), (1 - qrLow) / 2),           // QuotientRemainder: U(sqrt(1 / (Q R)), 1)
            };
            Assert.Equal(EmbeddingInit.Draw(key, i, center, half), embedding[i]);
        }
        Assert.All(embedding.Skip(50 + 30 * 4 + 7 * 4), v => Assert.InRange(v, qrLow, 1.0));
    }

    [Fact]
    public void The_embedding_is_the_same_in_any_chunking()
    {
        var layout = EmbeddingLayout.FromDeclaration(TestModel.Tiny(storage: EmbeddingStorage.Hashed).Declaration);
        ModelState whole = ModelInitializer.Create(layout, OptimizerKind.Adagrad, 3);
        ModelState chunked = ModelInitializer.Create(layout, OptimizerKind.Adagrad, 3, chunkLength: 5);
        Assert.True(chunked.Chunked("embedding").Chunks.Count > 3);
        Assert.Equal(whole.ChunkedTensors.Select(t => t.Key), chunked.ChunkedTensors.Select(t => t.Key));
        foreach (var (name, values) in whole.ChunkedTensors) Assert.True(values.BitEquals(chunked.Chunked(name)), name);
        Assert.Equal(whole["embedding"], chunked["embedding"]); // joined into one array
    }

    [Fact]
    public void The_MLP_tensors_do_not_depend_on_the_embedding_being_drawn_here()
    {
        var layout = EmbeddingLayout.FromDeclaration(TestModel.Tiny().Declaration);
        ModelState all = ModelInitializer.Create(layout, OptimizerKind.Adagrad, 4);
        ModelState dense = ModelInitializer.Create(layout, OptimizerKind.Adagrad, 4, includeEmbedding: false);
        Assert.Equal(all.ChunkedTensors.Select(t => t.Key).Where(n => !n.EndsWith("embedding", StringComparison.Ordinal)),
            dense.ChunkedTensors.Select(t => t.Key));
        foreach (var (name, values) in dense.Tensors) Assert.Equal(all[name], values);
    }

    /// <summary>The MLPerf model with Full tables: ~24 billion floats, laid out and checked without allocating any.</summary>
    private static EmbeddingLayout TerabyteFull() =>
        EmbeddingLayout.FromDeclaration(CriteoTerabyte.Definition.Declaration, new EmbeddingOverrides { Storage = EmbeddingStorage.Full });

    [Fact]
    public void A_layout_past_2_pow_31_floats_keeps_64_bit_offsets_everywhere()
    {
        EmbeddingLayout layout = TerabyteFull();
        long total = layout.Declaration.Tables.Sum(t => t.Cardinality) * 128;
        Assert.Equal(total, layout.TotalParameters);
        Assert.True(layout.TotalParameters > 20_000_000_000L);
        Assert.Equal(total, ModelTensors.Parameters(layout)[^1].Length); // the embedding tensor's length is a long, not capped

        // Regions tile [0, total) in order, each table's starting at its base.
        IReadOnlyList<EmbeddingInitRegion> regions = EmbeddingInit.Regions(layout);
        Assert.Equal(26, regions.Count);
        long next = 0;
        for (int t = 0; t < regions.Count; t++)
        {
            Assert.Equal(layout.TableBase[t], regions[t].Start);
            Assert.Equal(next, regions[t].Start);
            next += regions[t].Length;
        }
        Assert.Equal(total, next);

        // The last row of the last table: base + row * dim in 64-bit arithmetic (an int product would wrap).
        int last = layout.TableCount - 1;
        long rows = layout.Rows[last], tableBase = layout.TableBase[last];
        Assert.True(tableBase > int.MaxValue);
        Assert.Equal(tableBase + (rows - 1) * 128, TableRows.FullRowStart((ulong)(rows - 1), rows, tableBase, 128));
        Assert.Equal(-1, TableRows.FullRowStart((ulong)rows, rows, tableBase, 128));
        // Table 0 (39.9M rows): a row past 2^31 / 128 starts past 2^31 floats.
        Assert.Equal(20_000_000L * 128, TableRows.FullRowStart(20_000_000, layout.Rows[0], 0, 128));
        Assert.Equal(layout.TableBase[1] + 3_000L * 128, TableRows.HashedRowStart(3_000 + (ulong)layout.Rows[1], layout.Rows[1], layout.TableBase[1], 128));
    }

    [Fact]
    public void Cuda_refuses_tables_beyond_the_free_device_memory_naming_both_sizes()
    {
        EmbeddingLayout layout = TerabyteFull();
        long bytes = layout.TotalParameters * sizeof(float);
        long free = 80L << 30;
        var e = Assert.Throws<GpuOutOfMemoryException>(() =>
            CudaDlrmBackend.RequireDeviceMemory(layout, new ModelOptions { Optimizer = OptimizerKind.Sgd }, free, "Test GPU"));
        Assert.Equal(bytes, e.Bytes);
        Assert.Equal(free, e.FreeBytes);
        Assert.Contains($"{bytes:N0} bytes", e.Message);
        Assert.Contains($"{free:N0} bytes", e.Message);
        // Adagrad: the embedding, its gradient and its accumulator.
        e = Assert.Throws<GpuOutOfMemoryException>(() =>
            CudaDlrmBackend.RequireDeviceMemory(layout, new ModelOptions { Optimizer = OptimizerKind.Adagrad }, 200L << 30, "Test GPU"));
        Assert.Equal(3 * bytes, e.Bytes);
        // Fits: no error (SGD's fused step holds the embedding once).
        CudaDlrmBackend.RequireDeviceMemory(layout, new ModelOptions { Optimizer = OptimizerKind.Sgd }, 141L << 30, "Test GPU");
        CudaDlrmBackend.RequireDeviceMemory(layout, new ModelOptions(), freeBytes: null, "CPU accelerator");
    }

    [Fact]
    public void The_cpu_backend_refuses_an_embedding_past_one_array_with_a_clear_error()
    {
        var options = new ModelOptions { Device = DeviceKind.Cpu, MaxBatchSize = 4, Embedding = new EmbeddingOverrides { Storage = EmbeddingStorage.Full } };
        var e = Assert.Throws<InsufficientMemoryException>(() => new CpuDlrmBackend(CriteoTerabyte.Definition, options));
        Assert.Contains("one array", e.Message);
        Assert.Contains("CUDA", e.Message);
    }
}
