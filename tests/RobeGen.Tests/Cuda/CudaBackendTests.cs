using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.RadixSortOperations;
using ILGPU.Runtime;
using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Lab.Equivalence;
using RobeGen.Tests.Cuda.TestModels;

namespace RobeGen.Tests.Cuda;

/// <summary>The CUDA backend's contract (state, loss read-back, errors) on ILGPU's CPU accelerator.</summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public class CudaBackendTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    private readonly GpuDevice _device = fixture.Device;

    private CudaDlrmBackend Create(ModelDeclaration declaration, ModelOptions options, int seed = 1) =>
        new(TinyModels.Definition(declaration), options,
            TestStates.RandomState(declaration, EmbeddingLayout.FromDeclaration(declaration, options.Embedding), options.Optimizer, seed), _device);

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adagrad)]
    public void Export_gives_back_the_imported_state_with_the_documented_names(OptimizerKind optimizer)
    {
        var declaration = TinyModels.Declaration();
        var layout = EmbeddingLayout.FromDeclaration(declaration);
        var state = TestStates.RandomState(declaration, layout, optimizer, 7);
        using var backend = new CudaDlrmBackend(TinyModels.Definition(declaration), new ModelOptions { MaxBatchSize = 4, Optimizer = optimizer }, state, _device);
        var exported = backend.ExportState();
        Assert.Equal(state.Tensors.Select(t => t.Key), exported.Tensors.Select(t => t.Key));
        foreach (var (name, values) in state.Tensors) Assert.Equal(values, exported[name]);
        string[] expectedOrder = ["bottom.0.weight", "bottom.0.bias", "bottom.1.weight", "bottom.1.bias", "top.0.weight", "top.0.bias",
            "top.1.weight", "top.1.bias", "embedding"];
        Assert.Equal(expectedOrder, exported.Tensors.Select(t => t.Key).Take(expectedOrder.Length));
    }

    [Fact]
    public void Import_refuses_a_state_of_another_shape_naming_the_tensor()
    {
        var declaration = TinyModels.Declaration();
        using var backend = Create(declaration, new ModelOptions { MaxBatchSize = 4 });
        var wrong = TestStates.RandomState(TinyModels.Declaration(slots: 40), EmbeddingLayout.FromDeclaration(TinyModels.Declaration(slots: 40)), OptimizerKind.Sgd, 1);
        var error = Assert.Throws<ArgumentException>(() => backend.ImportState(wrong));
        Assert.Contains("'embedding' has 40 values; this model needs 37", error.Message);

        var adagrad = TestStates.RandomState(declaration, EmbeddingLayout.FromDeclaration(declaration), OptimizerKind.Adagrad, 1);
        Assert.Contains("adagrad.bottom.0.weight", Assert.Throws<ArgumentException>(() => backend.ImportState(adagrad)).Message);
    }

    [Fact]
    public void Deferred_steps_report_the_mean_of_their_losses()
    {
        var declaration = TinyModels.Declaration();
        var options = new ModelOptions { MaxBatchSize = 6 };
        var batches = Enumerable.Range(0, 3).Select(i => TestStates.RandomBatch(declaration, 6 - i, 10 + i)).ToArray();
        using var eager = Create(declaration, options);
        using var deferred = Create(declaration, options);
        float[] losses = batches.Select(b => eager.TrainStep(b, 0.2f)).ToArray();
        foreach (var batch in batches) deferred.EnqueueTrainStep(batch, 0.2f);
        Assert.Equal(losses.Average(), deferred.ReadMeanLoss(), 6);
        Assert.Equal(losses[^1], deferred.ReadLastLoss());
        Assert.True(float.IsNaN(deferred.ReadMeanLoss())); // restarted, nothing since
        Assert.Equal(eager.ExportState()["embedding"], deferred.ExportState()["embedding"]);
    }

    [Fact]
    public void Predictions_are_the_sigmoid_of_the_reference_logits()
    {
        var declaration = TinyModels.Declaration();
        using var backend = Create(declaration, new ModelOptions { MaxBatchSize = 8 });
        var batch = TestStates.RandomBatch(declaration, 7, 3);
        var trace = new ReferenceDlrm(backend.Layout, TinyModels.Definition(declaration).Embedding, backend.ExportState()).TraceStep(batch);
        var p = new float[7];
        backend.Predict(batch, p);
        float[] logits = trace["top.1 output"];
        for (int i = 0; i < 7; i++) Assert.Equal(1 / (1 + Math.Exp(-logits[i])), p[i], 1e-6);
    }

    [Fact]
    public void Deterministic_gradients_give_identical_states_run_after_run()
    {
        var declaration = TinyModels.Declaration(RobeVariant.Signed);
        var batches = Enumerable.Range(0, 2).Select(i => TestStates.RandomBatch(declaration, 6, 20 + i)).ToArray();
        var report = BackendEquivalence.CheckDeterminism(
            () => Create(declaration, new ModelOptions { MaxBatchSize = 6, DeterministicGradients = true }), batches, steps: 4, learningRate: 0.5f);
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, false)]
    [InlineData(OptimizerKind.Sgd, true)]
    [InlineData(OptimizerKind.Adagrad, true)]
    public void A_run_exported_and_imported_into_a_new_backend_goes_on_to_the_same_bits(OptimizerKind optimizer, bool deterministic)
    {
        // What a resumed run does: the state of step k into a fresh backend (its embedding drawn, then overwritten), then
        // the remaining steps; a prediction in between (the evaluation at the stop) must change nothing.
        var declaration = TinyModels.Declaration();
        var options = new ModelOptions { MaxBatchSize = 6, DeterministicGradients = deterministic, Optimizer = optimizer };
        var batches = Enumerable.Range(0, 6).Select(i => TestStates.RandomBatch(declaration, 6, 40 + i)).ToArray();
        using var whole = Create(declaration, options);
        foreach (var batch in batches) whole.TrainStep(batch, 0.3f);

        using var first = Create(declaration, options);
        foreach (var batch in batches[..3]) first.TrainStep(batch, 0.3f);
        first.Predict(batches[0], new float[6]);
        ModelState saved = first.ExportState();
        using var resumed = new CudaDlrmBackend(TinyModels.Definition(declaration), options, saved, _device);
        foreach (var batch in batches[3..]) resumed.TrainStep(batch, 0.3f);

        ModelState expected = whole.ExportState(), actual = resumed.ExportState();
        foreach (var (name, values) in expected.Tensors)
            Assert.True(values.AsSpan().SequenceEqual(actual[name]), $"tensor {name} differs after the import");
    }

    [Fact]
    public void The_resume_check_passes_an_exact_import_and_catches_one_changed_bit()
    {
        // The check `robegen check --device cuda` runs on the GPU: here on the CPU accelerator, where it must pass, and
        // with an import that flips one bit of one weight, which it must report.
        var declaration = TinyModels.Declaration(dim: 16, blockSize: 4, slots: 37);
        var options = new ModelOptions { MaxBatchSize = 6, DeterministicGradients = true };
        var batches = Enumerable.Range(0, 3).Select(i => TestStates.RandomBatch(declaration, 6, 30 + i)).ToArray();
        CudaDlrmBackend FromState(ModelState state) => new(TinyModels.Definition(declaration), options, state, _device);
        var exact = BackendEquivalence.CheckResume(() => Create(declaration, options), FromState, batches, steps: 6, learningRate: 0.3f);
        Assert.True(exact.Passed, exact.ToString());

        var flipped = BackendEquivalence.CheckResume(() => Create(declaration, options), state =>
        {
            float[] weights = state["top.0.weight"];
            weights[0] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(weights[0]) ^ 1);
            return FromState(state);
        }, batches, steps: 6, learningRate: 0.3f);
        Assert.False(flipped.Passed);
        Assert.Contains("top.0.weight", flipped.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(8)]
    public void Predictions_between_steps_change_no_parameter_and_no_later_step(int predictRows)
    {
        // Evaluations and the checkpoint's prediction probe run between training steps, with batches of any size up to
        // the capacity: they must leave every parameter, and the steps after them, exactly as without them.
        var declaration = TinyModels.Declaration(dim: 16, blockSize: 4, slots: 37, tables: 5);
        var options = new ModelOptions { MaxBatchSize = 8, DeterministicGradients = true };
        var batches = Enumerable.Range(0, 4).Select(i => TestStates.RandomBatch(declaration, 8, 70 + i)).ToArray();
        using var plain = Create(declaration, options);
        using var probed = Create(declaration, options);
        for (int step = 0; step < 4; step++)
        {
            plain.TrainStep(batches[step], 0.4f);
            probed.TrainStep(batches[step], 0.4f);
            ModelState before = probed.ExportState();
            probed.Predict(TestStates.RandomBatch(declaration, predictRows, 90 + step), new float[predictRows]);
            foreach (var (name, values) in before.Tensors)
                Assert.True(values.AsSpan().SequenceEqual(probed.ExportState()[name]), $"tensor {name} changed by a prediction after step {step}");
        }
        foreach (var (name, values) in plain.ExportState().Tensors)
            Assert.True(values.AsSpan().SequenceEqual(probed.ExportState()[name]), $"tensor {name} differs when predictions ran between the steps");
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 6, 6)]
    [InlineData(OptimizerKind.Adagrad, 6, 6)]
    [InlineData(OptimizerKind.Sgd, 200, 2)] // hot ids: ~100 equal blocks on the same slots
    public void Deterministic_gradients_of_plain_robe_blocks_agree_with_the_atomic_scatter_and_repeat_bit_for_bit(OptimizerKind optimizer, int rows,
        int vocabulary)
    {
        // Plain ROBE tables sum in fixed point: 16 floats in blocks of 4 over 37 slots, so blocks of different starts
        // overlap on most slots and hot slots gather many blocks.
        var declaration = TinyModels.Declaration(dim: 16, blockSize: 4, slots: 37);
        var batches = Enumerable.Range(0, 3).Select(i => TestStates.RandomBatch(declaration, rows, 60 + i, vocabulary)).ToArray();
        int hottest = batches[0].TokenSpan.ToArray().GroupBy(t => t).Max(g => g.Count());
        if (rows > 100) Assert.True(hottest > 64, $"the hottest id appears {hottest} times");
        using var atomic = Create(declaration, new ModelOptions { MaxBatchSize = rows, Optimizer = optimizer });
        using var sorted = Create(declaration, new ModelOptions { MaxBatchSize = rows, Optimizer = optimizer, DeterministicGradients = true });
        for (int step = 0; step < 6; step++)
        {
            atomic.TrainStep(batches[step % 3], 0.5f);
            sorted.TrainStep(batches[step % 3], 0.5f);
        }
        float[] a = atomic.ExportState()["embedding"], d = sorted.ExportState()["embedding"];
        Assert.Equal(a.Length, d.Length);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - d[i]) <= 1e-5f * Math.Max(1f, Math.Abs(a[i])), $"slot {i}: {a[i]} vs {d[i]}");
        Assert.False(a.AsSpan().SequenceEqual(TestStates.RandomState(declaration, EmbeddingLayout.FromDeclaration(declaration), optimizer, 1)["embedding"]));

        var report = BackendEquivalence.CheckDeterminism(
            () => Create(declaration, new ModelOptions { MaxBatchSize = rows, Optimizer = optimizer, DeterministicGradients = true }), batches, steps: 5, learningRate: 0.5f);
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void Batches_larger_than_the_capacity_are_refused()
    {
        var declaration = TinyModels.Declaration();
        using var backend = Create(declaration, new ModelOptions { MaxBatchSize = 4 });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => backend.TrainStep(TestStates.RandomBatch(declaration, 5, 1), 0.1f));
        Assert.Contains("MaxBatchSize", error.Message);
    }

    [Fact]
    public void Out_of_memory_names_the_tensor_that_did_not_fit()
    {
        var declaration = TinyModels.Declaration();
        var options = new ModelOptions { MaxBatchSize = 4, Embedding = new EmbeddingOverrides { RobeSlots = 1L << 42 } }; // 16 TiB of floats
        var error = Assert.Throws<GpuOutOfMemoryException>(() => new CudaDlrmBackend(TinyModels.Definition(declaration), options, new ModelState(), _device));
        Assert.Equal("embedding", error.Tensor);
        Assert.Contains("'embedding' needs 16384.00 GiB", error.Message);
    }

    [Fact]
    public void Radix_sort_keeps_equal_keys_in_input_order()
    {
        // The deterministic gradient sums each slot in coordinate order only if the sort is stable.
        var random = new Random(9);
        int[] keys = Enumerable.Range(0, 1000).Select(_ => random.Next(17)).ToArray();
        int[] values = Enumerable.Range(0, 1000).ToArray();
        var accelerator = _device.Accelerator;
        using var k = accelerator.Allocate1D(keys);
        using var v = accelerator.Allocate1D(values);
        using var temp = accelerator.Allocate1D<int>(accelerator.ComputeRadixSortPairsTempStorageSize<int, int, AscendingInt32>((Index1D)keys.Length));
        var sort = accelerator.CreateRadixSortPairs<int, Stride1D.Dense, int, Stride1D.Dense, AscendingInt32>();
        sort(_device.Stream, k.View, v.View, temp.View);
        _device.Synchronize();
        int[] sortedKeys = k.GetAsArray1D(), sortedValues = v.GetAsArray1D();
        var expected = values.OrderBy(i => keys[i]).ToArray(); // LINQ OrderBy is stable
        Assert.Equal(expected, sortedValues);
        Assert.Equal(expected.Select(i => keys[i]), sortedKeys);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_full_token_out_of_range_reads_zeros_and_updates_nothing(bool deterministic)
    {
        // The generated gather marks such a token with start -1; the updates must skip it, not write at slot -1 + j.
        var declaration = TinyModels.Declaration(storage: [EmbeddingStorage.Full, EmbeddingStorage.Robe, EmbeddingStorage.Robe]);
        using var backend = Create(declaration, new ModelOptions { MaxBatchSize = 4, DeterministicGradients = deterministic });
        var batch = TestStates.RandomBatch(declaration, 4, 8);
        for (int r = 0; r < 4; r++) batch.Tokens[r * 3] = 1000; // table 0 has 5 rows
        var layout = backend.Layout;
        float[] before = backend.ExportState()["embedding"];
        var trace = CudaStepTracer.TraceTrainStep(backend, batch, 0.5f);
        float[] after = backend.ExportState()["embedding"];

        for (int r = 0; r < 4; r++)
            for (int j = 0; j < layout.Dim; j++) Assert.Equal(0f, trace["gathered embeddings"][(r * 3) * layout.Dim + j]);
        long fullStart = layout.TableBase[0], fullEnd = fullStart + layout.Rows[0] * layout.Dim;
        for (long s = fullStart; s < fullEnd; s++) Assert.Equal(before[s], after[s]);
        Assert.Contains(Enumerable.Range(0, (int)layout.RobeSlots), s => before[s] != after[s]); // the ROBE tables did learn
        Assert.All(trace["embedding gradient"], g => Assert.True(float.IsFinite(g)));
    }
}
