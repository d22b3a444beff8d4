using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Cuda;
using RobeGen.Data;
using RobeGen.Initialization;
using RobeGen.Lab.Benchmarking;
using RobeGen.Lab.Equivalence;
using RobeGen.Tests.Cuda.TestModels;
using RobeGen.Tests.Models;
using RobeGen.Tests.TestModels;
using Xunit.Abstractions;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// The Cat and DcnV2 interactions on the CUDA backend (ILGPU's CPU accelerator, the reference GEMM for the products):
/// every layer and parameter gradient against the float64 reference, training side by side with the CPU backend (SGD
/// fused with the atomic scatter, Adagrad with deterministic gradients), the state round trip through the CPU backend,
/// and a finite-difference check of a cross weight's gradient on the backend's own forward pass.
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public class ConcatInteractionTests(CpuSimulatorFixture fixture, ITestOutputHelper output) : IClassFixture<CpuSimulatorFixture>
{
    internal static IDlrmDefinition Definition(string model) => model switch
    {
        nameof(SmallCat) => SmallCat.Definition,
        nameof(SmallDcnLowRank) => SmallDcnLowRank.Definition,
        nameof(MultiHotDcnV2) => MultiHotDcnV2.Definition,
        _ => SmallDcnFullRank.Definition,
    };

    /// <summary>A random batch of the model's kind: bags (0 to 2 x hotness ids, empty and repeated ones) for a multi-hot model.</summary>
    internal static Batch RandomBatch(IDlrmDefinition definition, int rows, int seed) => definition.Declaration.HasMultiHotTables
        ? TestBatches.RandomBags(definition.Declaration, rows, seed)
        : TestStates.RandomBatch(definition.Declaration, rows, seed);

    /// <summary>The seeded initial state, with random cross biases (they start at zero) so their use is tested too.</summary>
    internal static ModelState InitialState(IDlrmDefinition definition, OptimizerKind optimizer, int seed = 4)
    {
        ModelState state = ModelInitializer.Create(EmbeddingLayout.FromDeclaration(definition.Declaration), optimizer, seed);
        var random = new Random(seed);
        foreach (var (name, values) in state.Tensors)
        {
            if (name.StartsWith("cross.", StringComparison.Ordinal) && name.EndsWith(".bias", StringComparison.Ordinal))
                for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
            if (name.StartsWith(ModelTensors.AdagradPrefix, StringComparison.Ordinal))
                for (int i = 0; i < values.Length; i++) values[i] = 0.01f + (float)random.NextDouble() * 0.05f; // a zero G makes float noise a full step
        }
        return state;
    }

    [Theory]
    [InlineData(nameof(SmallCat), OptimizerKind.Sgd, false)]
    [InlineData(nameof(SmallCat), OptimizerKind.Adagrad, true)]
    [InlineData(nameof(SmallDcnLowRank), OptimizerKind.Sgd, true)]
    [InlineData(nameof(SmallDcnLowRank), OptimizerKind.Adagrad, false)]
    [InlineData(nameof(SmallDcnFullRank), OptimizerKind.Sgd, false)]
    [InlineData(nameof(SmallDcnFullRank), OptimizerKind.Adagrad, true)]
    [InlineData(nameof(MultiHotDcnV2), OptimizerKind.Sgd, false)]
    [InlineData(nameof(MultiHotDcnV2), OptimizerKind.Adagrad, true)]
    public void Layers_and_the_update_match_the_double_precision_reference(string model, OptimizerKind optimizer, bool deterministic)
    {
        IDlrmDefinition definition = Definition(model);
        var options = new ModelOptions { MaxBatchSize = 6, Optimizer = optimizer, DeterministicGradients = deterministic };
        using var backend = new CudaDlrmBackend(definition, options, InitialState(definition, optimizer), fixture.Device);
        var report = BackendEquivalence.CheckLayers(backend, definition.Embedding, RandomBatch(definition, 6, 31), 0.2f, optimizer);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        if (definition.Declaration.Interaction == InteractionKind.DcnV2)
            Assert.Contains(report.Results, r => r.Name == "cross.1.bias gradient");
    }

    [Theory]
    [InlineData(nameof(SmallCat), OptimizerKind.Sgd, false)]           // SGD fused into the atomic scatter
    [InlineData(nameof(SmallDcnLowRank), OptimizerKind.Sgd, false)]
    [InlineData(nameof(SmallDcnLowRank), OptimizerKind.Adagrad, true)]
    [InlineData(nameof(SmallDcnFullRank), OptimizerKind.Sgd, true)]
    [InlineData(nameof(MultiHotDcnV2), OptimizerKind.Sgd, false)]
    [InlineData(nameof(MultiHotDcnV2), OptimizerKind.Adagrad, true)]
    public void Training_agrees_with_the_cpu_backend(string model, OptimizerKind optimizer, bool deterministic)
    {
        IDlrmDefinition definition = Definition(model);
        var options = new ModelOptions { MaxBatchSize = 16, DeterministicGradients = deterministic, Seed = 4, Threads = 1, Optimizer = optimizer };
        ModelState state = InitialState(definition, optimizer); // Adagrad: G > 0 (from G = 0 a gradient of 1e-10 already moves a weight by lr)
        using var cpu = new CpuDlrmBackend(definition, options);
        cpu.ImportState(state);
        using var cuda = new CudaDlrmBackend(definition, options, state, fixture.Device);
        Assert.Equal(!deterministic && optimizer == OptimizerKind.Sgd, cuda.Phases.FusesEmbeddingSgd);
        var training = Enumerable.Range(0, 4).Select(i => RandomBatch(definition, 16, 50 + i)).ToArray();
        var evaluation = Enumerable.Range(0, 2).Select(i => RandomBatch(definition, 16, 80 + i)).ToArray();
        var report = BackendEquivalence.CheckTraining(cpu, cuda, training, evaluation, steps: 6, learningRate: 0.05f);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    /// <summary>The batches <c>robegen check</c> and <c>robegen bench</c> make for a multi-hot model (bags of exactly each
    /// table's hotness), through the layer check <c>robegen check --device cuda</c> runs on CriteoTerabyteDcnV2MultiHot.</summary>
    [Fact]
    public void Multi_hot_dcn_layers_match_the_reference_on_the_check_commands_batches()
    {
        IDlrmDefinition definition = MultiHotDcnV2.Definition;
        Batch batch = SyntheticBatches.Create(definition.Declaration, 6, seed: 5);
        Assert.True(batch.IsMultiHot);
        Assert.Equal(6 * definition.Declaration.IdsPerSample, batch.IdCount);
        var options = new ModelOptions { MaxBatchSize = 6, DeterministicGradients = true };
        using var backend = new CudaDlrmBackend(definition, options, InitialState(definition, options.Optimizer), fixture.Device);
        var report = BackendEquivalence.CheckLayers(backend, definition.Embedding, batch, 0.2f, options.Optimizer);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Contains(report.Results, r => r.Name == "embedding gradient");
    }

    [Theory]
    [InlineData(nameof(SmallCat))]
    [InlineData(nameof(SmallDcnLowRank))]
    [InlineData(nameof(SmallDcnFullRank))]
    public void State_round_trips_through_the_cpu_backend(string model)
    {
        IDlrmDefinition definition = Definition(model);
        var options = new ModelOptions { MaxBatchSize = 8, Optimizer = OptimizerKind.Adagrad, Threads = 1 };
        var layout = EmbeddingLayout.FromDeclaration(definition.Declaration);
        using var cuda = new CudaDlrmBackend(definition, options, InitialState(definition, options.Optimizer), fixture.Device);
        cuda.TrainStep(TestStates.RandomBatch(definition.Declaration, 8, 7), 0.1f);
        ModelState exported = cuda.ExportState();
        Assert.Equal(ModelTensors.All(layout, options.Optimizer).Select(t => t.Name), exported.Tensors.Select(t => t.Key));

        using var cpu = new CpuDlrmBackend(definition, options);
        cpu.ImportState(exported);
        ModelState back = cpu.ExportState();
        Assert.Equal(exported.Tensors.Select(t => t.Key), back.Tensors.Select(t => t.Key));
        foreach (var (name, values) in exported.Tensors) Assert.Equal(values, back[name]);

        Batch batch = TestStates.RandomBatch(definition.Declaration, 8, 9);
        float[] onCuda = new float[8], onCpu = new float[8];
        cuda.Predict(batch, onCuda);
        cpu.Predict(batch, onCpu);
        for (int i = 0; i < 8; i++) Assert.Equal(onCpu[i], onCuda[i], 1e-5f);

        // and back into a fresh CUDA model: the same bits out, the same predictions
        using var again = new CudaDlrmBackend(definition, options, back, fixture.Device);
        foreach (var (name, values) in again.ExportState().Tensors) Assert.Equal(exported[name], values);
        float[] reloaded = new float[8];
        again.Predict(batch, reloaded);
        Assert.Equal(onCuda, reloaded);
    }

    [Fact]
    public void A_cross_weight_gradient_matches_finite_differences_of_the_backends_loss()
    {
        IDlrmDefinition definition = SmallDcnLowRank.Definition;
        var options = new ModelOptions { MaxBatchSize = 8, Optimizer = OptimizerKind.Sgd };
        ModelState state = InitialState(definition, options.Optimizer);
        using var cuda = new CudaDlrmBackend(definition, options, state, fixture.Device);
        Batch batch = TestStates.RandomBatch(definition.Declaration, 8, 12);
        StepTrace trace = CudaStepTracer.TraceTrainStep(cuda, batch, 0.1f);
        foreach (string name in new[] { "cross.0.v", "cross.1.u", "cross.0.bias" })
        {
            float[] gradient = trace[name + " gradient"];
            int index = Enumerable.Range(0, gradient.Length).MaxBy(i => Math.Abs(gradient[i]));
            const float h = 1e-2f;
            double Loss(float delta)
            {
                ModelState probe = Copy(state);
                probe[name][index] += delta;
                cuda.ImportState(probe);
                var p = new float[batch.Count];
                cuda.Predict(batch, p);
                double sum = 0;
                for (int r = 0; r < batch.Count; r++)
                    sum -= batch.Labels[r] > 0.5f ? Math.Log(p[r]) : Math.Log(1 - p[r]);
                return sum / batch.Count;
            }
            double numeric = (Loss(h) - Loss(-h)) / (2 * h);
            output.WriteLine($"{name}[{index}]: backward {gradient[index]:G6}, finite differences {numeric:G6}");
            Assert.True(Math.Abs(gradient[index]) > 1e-4, $"{name}: too small a gradient to check");
            Assert.Equal(numeric, gradient[index], Math.Abs(gradient[index]) * 0.02 + 1e-5);
        }
    }

    private static ModelState Copy(ModelState state)
    {
        var copy = new ModelState();
        foreach (var (name, values) in state.Tensors) copy.Add(name, (float[])values.Clone());
        return copy;
    }

    [Fact]
    public void Cat_trains_in_bf16_close_to_fp32()
    {
        IDlrmDefinition definition = SmallCat.Definition;
        ModelState state = InitialState(definition, OptimizerKind.Sgd);
        using var bf16 = new CudaDlrmBackend(definition, new ModelOptions { MaxBatchSize = 16, Precision = Precision.Bf16 }, state, fixture.Device);
        using var fp32 = new CudaDlrmBackend(definition, new ModelOptions { MaxBatchSize = 16 }, state, fixture.Device);
        for (int step = 0; step < 3; step++)
        {
            Batch batch = TestStates.RandomBatch(definition.Declaration, 16, 60 + step);
            float a = bf16.TrainStep(batch, 0.05f), b = fp32.TrainStep(batch, 0.05f);
            Assert.Equal(b, a, 0.02f);
        }
        Batch eval = TestStates.RandomBatch(definition.Declaration, 16, 90);
        float[] p16 = new float[16], p32 = new float[16];
        bf16.Predict(eval, p16);
        fp32.Predict(eval, p32);
        for (int i = 0; i < 16; i++) Assert.Equal(p32[i], p16[i], 0.02f);
        Assert.Contains(Enumerable.Range(0, 16), i => p16[i] != p32[i]); // bf16 did run
    }
}
