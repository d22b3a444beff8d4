using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Cuda;
using RobeGen.Data;
using RobeGen.Initialization;
using RobeGen.Lab.Equivalence;
using RobeGen.Tests.Models;
using RobeGen.Tests.TestModels;
using Xunit.Abstractions;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// The CUDA backend on multi-hot models (ILGPU's CPU accelerator, the reference GEMM for the products) against the CPU
/// backend: the embedding gradient of a step as the CPU bag scatter makes it from the same dL/dE (bit for bit with
/// deterministic gradients), training side by side (losses, the first update, predictions after the steps) with SGD
/// fused or not and Adagrad, atomic and deterministic; bags pooled by Sum and Mean, empty bags, repeated ids, ids past 32
/// bits, and a batch with more ids than any before.
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public sealed class MultiHotCudaBackendTests(CpuSimulatorFixture fixture, ITestOutputHelper output) : IClassFixture<CpuSimulatorFixture>
{
    private static IDlrmDefinition Definition(string name) => name switch
    {
        nameof(MultiHotAuthors) => MultiHotAuthors.Definition,
        nameof(MultiHotSigned) => MultiHotSigned.Definition,
        _ => MultiHotCircular.Definition,
    };

    /// <summary>Z = 3 instead of the declared 8: the generic bag kernels instead of the generated ones.</summary>
    private static EmbeddingOverrides Overrides(bool generic) => generic ? new EmbeddingOverrides { BlockSize = 3 } : EmbeddingOverrides.None;

    /// <summary>The seeded initial state; Adagrad's G starts above zero (from G = 0 a gradient of float noise already moves a weight by lr).</summary>
    private static ModelState InitialState(IDlrmDefinition definition, ModelOptions options)
    {
        ModelState state = ModelInitializer.Create(EmbeddingLayout.FromDeclaration(definition.Declaration, options.Embedding), options.Optimizer, 4);
        var random = new Random(4);
        foreach (var (name, values) in state.Tensors)
            if (name.StartsWith(ModelTensors.AdagradPrefix, StringComparison.Ordinal))
                for (int i = 0; i < values.Length; i++) values[i] = 0.01f + (float)random.NextDouble() * 0.05f;
        return state;
    }

    [Theory]
    [InlineData(nameof(MultiHotAuthors), false, true)]
    [InlineData(nameof(MultiHotAuthors), false, false)]
    [InlineData(nameof(MultiHotAuthors), true, true)]
    [InlineData(nameof(MultiHotSigned), false, true)]
    [InlineData(nameof(MultiHotSigned), false, false)]
    [InlineData(nameof(MultiHotCircular), false, true)]
    public void The_embedding_gradient_is_the_cpu_bag_scatter_of_the_same_output_gradient(string name, bool generic, bool deterministic)
    {
        IDlrmDefinition definition = Definition(name);
        const int rows = 8;
        var options = new ModelOptions { MaxBatchSize = rows, DeterministicGradients = deterministic, Embedding = Overrides(generic) };
        using var cuda = new CudaDlrmBackend(definition, options, InitialState(definition, options), fixture.Device);
        EmbeddingLayout layout = cuda.Layout;
        Assert.Equal(generic, !layout.MatchesDeclaredKernels);
        Batch batch = TestBatches.RandomBags(definition.Declaration, rows, seed: 21);
        AssertHasEmptyAndRepeatedIds(batch);

        var phases = cuda.Phases;
        phases.Upload(batch);
        phases.Forward(rows);
        phases.Loss(rows);
        phases.InteractionBackward(rows, phases.BackwardTop(rows));
        phases.BottomBackward(rows);
        phases.EmbeddingGradient(rows);
        int cells = rows * layout.TableCount;
        float[] embeddings = phases.Download(phases.Tensors.Embeddings.View.SubView(0, cells * layout.Dim));
        float[] outputGradient = phases.Download(phases.Tensors.GradEmbeddings.View.SubView(0, cells * layout.Dim));
        float[] gradient = phases.Download(phases.Tensors.EmbeddingGradients.View.SubView(0, layout.TotalParameters));
        phases.ReleaseUpload();
        float[] weights = cuda.ExportState()["embedding"];

        // The CPU's sequential bag loops on the same weights and the same dL/dE.
        var cpu = GenericEmbeddingKernels.Instance;
        ReadOnlySpan<int> offsets = batch.BagOffsets.AsSpan(0, cells + 1);
        ReadOnlySpan<ulong> ids = batch.BagIds.AsSpan(0, batch.IdCount);
        var starts = new long[Math.Max(1, batch.IdCount * layout.MaxBlocks)];
        var pooled = new float[cells * layout.Dim];
        var expected = new float[layout.TotalParameters];
        cpu.GatherBags(layout, weights, offsets, ids, rows, starts, pooled);
        cpu.ScatterBagGradient(layout, weights, offsets, ids, starts, rows, outputGradient, expected);

        for (int i = 0; i < pooled.Length; i++) Assert.Equal(pooled[i], embeddings[i], 1e-5f);
        Assert.Contains(expected, g => g != 0f);
        // A model with Full tables sums deterministically in the CPU's order: the same bits. One whose tables are all ROBE
        // arrays (MultiHotCircular) sums in fixed point (docs/cuda.md): the exact sum rounded once, not the CPU's float
        // additions in order, so it agrees to float rounding (closer than the float atomics, whose order varies).
        bool fixedPoint = deterministic && layout.Storage.All(s => s == EmbeddingStorage.Robe);
        Assert.Equal(name == nameof(MultiHotCircular) && deterministic, fixedPoint);
        if (deterministic && !fixedPoint)
            Assert.Equal(expected, gradient);
        else
        {
            float scale = expected.Max(MathF.Abs), tolerance = fixedPoint ? 1e-6f : 1e-5f;
            for (int i = 0; i < expected.Length; i++)
                Assert.True(MathF.Abs(expected[i] - gradient[i]) <= tolerance * scale, $"slot {i}: {gradient[i]} vs {expected[i]}");
        }
    }

    [Theory]
    [InlineData(nameof(MultiHotAuthors), false, OptimizerKind.Sgd, false)] // SGD fused into the atomic bag scatter
    [InlineData(nameof(MultiHotAuthors), false, OptimizerKind.Sgd, true)]
    [InlineData(nameof(MultiHotAuthors), false, OptimizerKind.Adagrad, false)]
    [InlineData(nameof(MultiHotAuthors), true, OptimizerKind.Adagrad, true)]
    [InlineData(nameof(MultiHotSigned), false, OptimizerKind.Sgd, true)]
    [InlineData(nameof(MultiHotSigned), false, OptimizerKind.Adagrad, false)]
    [InlineData(nameof(MultiHotCircular), false, OptimizerKind.Sgd, false)]
    [InlineData(nameof(MultiHotCircular), true, OptimizerKind.Adagrad, true)]
    public void Training_agrees_with_the_cpu_backend(string name, bool generic, OptimizerKind optimizer, bool deterministic)
    {
        IDlrmDefinition definition = Definition(name);
        var options = new ModelOptions
        {
            MaxBatchSize = 16,
            DeterministicGradients = deterministic,
            Seed = 4,
            Threads = 1,
            Optimizer = optimizer,
            Embedding = Overrides(generic),
        };
        ModelState state = InitialState(definition, options);
        using var cpu = new CpuDlrmBackend(definition, options);
        cpu.ImportState(state);
        using var cuda = new CudaDlrmBackend(definition, options, state, fixture.Device);
        Assert.Equal(!deterministic && optimizer == OptimizerKind.Sgd && !cuda.Layout.HasQuotientRemainder, cuda.Phases.FusesEmbeddingSgd);
        // Fewer rows than the batch size in some batches, as the last batch of an epoch.
        var training = Enumerable.Range(0, 3).Select(i => TestBatches.RandomBags(definition.Declaration, 16 - 3 * i, 50 + i, capacity: 16)).ToArray();
        var evaluation = Enumerable.Range(0, 2).Select(i => TestBatches.RandomBags(definition.Declaration, 16, 80 + i)).ToArray();
        AssertHasEmptyAndRepeatedIds(training[0]);
        var report = BackendEquivalence.CheckTraining(cpu, cuda, training, evaluation, steps: 5, learningRate: 0.05f);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        AssertStatesClose(cpu.ExportState(), cuda.ExportState(), 2e-4f);
    }

    [Fact]
    public void Deterministic_gradients_repeat_bit_for_bit()
    {
        IDlrmDefinition definition = MultiHotAuthors.Definition;
        var options = new ModelOptions { MaxBatchSize = 12, DeterministicGradients = true, Optimizer = OptimizerKind.Adagrad };
        ModelState state = InitialState(definition, options);
        var training = Enumerable.Range(0, 2).Select(i => TestBatches.RandomBags(definition.Declaration, 12, 30 + i)).ToArray();
        var report = BackendEquivalence.CheckDeterminism(() => new CudaDlrmBackend(definition, options, state, fixture.Device), training, steps: 3, learningRate: 0.05f);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_batch_with_more_ids_than_any_before_and_ids_past_32_bits_train_as_on_the_cpu(bool deterministic)
    {
        IDlrmDefinition definition = MultiHotCircular.Definition; // ROBE tables only: any 64-bit id hashes
        var options = new ModelOptions { MaxBatchSize = 4, DeterministicGradients = deterministic, Threads = 1 };
        ModelState state = InitialState(definition, options);
        using var cpu = new CpuDlrmBackend(definition, options);
        cpu.ImportState(state);
        using var cuda = new CudaDlrmBackend(definition, options, state, fixture.Device);
        long before = cuda.DeviceBytes;

        // 4 rows x 2 tables x 40 ids: far more than the declared hotness (3) sized the buffers for; then ids past 2^32
        // (the uploader's 64-bit path), then a batch of empty bags only (nothing read, nothing updated).
        Batch Bags(Func<int, ulong> id, int perCell)
        {
            var batch = new Batch(4, 1, 2, multiHot: true) { Count = 4 };
            batch.EnsureIdCapacity(Math.Max(1, 8 * perCell));
            for (int r = 0; r < 4; r++)
            {
                batch.Dense[r] = 0.25f * r;
                batch.Labels[r] = r % 2;
            }
            for (int c = 0; c < 8; c++) batch.BagOffsets[c + 1] = (c + 1) * perCell;
            for (int i = 0; i < 8 * perCell; i++) batch.BagIds[i] = id(i);
            return batch;
        }
        Batch[] batches = [Bags(i => (ulong)(i * 7 % 1000), 40), Bags(i => (1UL << 40) + (ulong)(i * 13), 5), Bags(_ => 0, 0)];
        foreach (Batch batch in batches)
        {
            float lossCpu = cpu.TrainStep(batch, 0.1f), lossCuda = cuda.TrainStep(batch, 0.1f);
            Assert.Equal(lossCpu, lossCuda, 1e-4f);
            float[] pCpu = new float[4], pCuda = new float[4];
            cpu.Predict(batch, pCpu);
            cuda.Predict(batch, pCuda);
            for (int r = 0; r < 4; r++) Assert.Equal(pCpu[r], pCuda[r], 1e-4f);
        }
        Assert.True(cuda.DeviceBytes > before, "the id buffers grew");
        AssertStatesClose(cpu.ExportState(), cuda.ExportState(), 1e-4f);
    }

    [Fact]
    public void Bf16_trains_close_to_fp32_and_queued_predictions_match_synchronous_ones()
    {
        IDlrmDefinition definition = MultiHotSigned.Definition;
        ModelState state = InitialState(definition, new ModelOptions());
        using var bf16 = new CudaDlrmBackend(definition, new ModelOptions { MaxBatchSize = 16, Precision = Precision.Bf16 }, state, fixture.Device);
        using var fp32 = new CudaDlrmBackend(definition, new ModelOptions { MaxBatchSize = 16 }, state, fixture.Device);
        for (int step = 0; step < 3; step++)
        {
            Batch batch = TestBatches.RandomBags(definition.Declaration, 16, 60 + step);
            Assert.Equal(fp32.TrainStep(batch, 0.05f), bf16.TrainStep(batch, 0.05f), 0.02f);
        }
        // Two predictions in flight: each reads its own upload slot's bags.
        Batch first = TestBatches.RandomBags(definition.Declaration, 16, 90), second = TestBatches.RandomBags(definition.Declaration, 9, 91);
        float[] p1 = new float[16], p2 = new float[16], s1 = new float[16], s2 = new float[16];
        fp32.EnqueuePredict(first);
        fp32.EnqueuePredict(second);
        Assert.Equal(16, fp32.ReadPrediction(p1));
        Assert.Equal(9, fp32.ReadPrediction(p2));
        fp32.Predict(first, s1);
        fp32.Predict(second, s2);
        Assert.Equal(s1, p1);
        Assert.Equal(s2, p2);
        float[] b16 = new float[16];
        bf16.Predict(first, b16);
        for (int i = 0; i < 16; i++) Assert.Equal(s1[i], b16[i], 0.02f);
    }

    [Fact]
    public void A_batch_of_the_wrong_kind_is_refused_as_on_the_cpu()
    {
        using var cuda = new CudaDlrmBackend(MultiHotAuthors.Definition, new ModelOptions { MaxBatchSize = 4 },
            InitialState(MultiHotAuthors.Definition, new ModelOptions()), fixture.Device);
        var tokens = new Batch(4, 3, 5) { Count = 2 };
        Assert.Contains("multi-hot tables (Tags (Sum), Genres (Mean), Items (Mean))",
            Assert.Throws<ArgumentException>(() => cuda.TrainStep(tokens, 0.1f)).Message);

        Batch twoUsers = TestBatches.RandomBags(MultiHotAuthors.Declaration, rows: 1, seed: 2);
        for (int c = 1; c <= 5; c++) twoUsers.BagOffsets[c] += c >= 2 ? 1 : 0;
        twoUsers.EnsureIdCapacity(twoUsers.BagOffsets[5]);
        Assert.Contains("table User holds 2 ids", Assert.Throws<ArgumentException>(() => cuda.Predict(twoUsers, new float[1])).Message);

        // The backend still runs after the refusals.
        Assert.True(float.IsFinite(cuda.TrainStep(TestBatches.RandomBags(MultiHotAuthors.Declaration, rows: 4, seed: 3), 0.1f)));
    }

    private static void AssertHasEmptyAndRepeatedIds(Batch batch)
    {
        int cells = batch.Count * batch.Tables;
        Assert.Contains(Enumerable.Range(0, cells), c => batch.BagOffsets[c + 1] == batch.BagOffsets[c]);
        Assert.Contains(Enumerable.Range(1, Math.Max(0, batch.IdCount - 1)), i => batch.BagIds[i] == batch.BagIds[i - 1]);
    }

    private static void AssertStatesClose(ModelState expected, ModelState actual, float tolerance)
    {
        foreach (var (name, values) in expected.Tensors)
        {
            float[] other = actual[name];
            Assert.Equal(values.Length, other.Length);
            for (int i = 0; i < values.Length; i++)
                Assert.True(MathF.Abs(values[i] - other[i]) <= tolerance * MathF.Max(1f, MathF.Abs(values[i])), $"{name}[{i}]: {other[i]} vs {values[i]}");
        }
    }
}
