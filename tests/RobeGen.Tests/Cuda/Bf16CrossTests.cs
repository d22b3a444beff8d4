using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Cuda;
using RobeGen.Cuda.Kernels;
using RobeGen.Data;
using RobeGen.Lab.Equivalence;
using RobeGen.Tests.Models;
using RobeGen.Tests.TestModels;
using Xunit.Abstractions;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// DcnV2 in Precision.Bf16 on ILGPU's CPU accelerator (the reference GEMM stands in for cuBLASLt): low- and full-rank
/// cross layers, single- and multi-hot, against <see cref="Bf16Emulation"/> (the rounding points docs/model-math.md
/// lists) and against the FP32 CPU backend.
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public class Bf16CrossTests(CpuSimulatorFixture fixture, ITestOutputHelper output) : IClassFixture<CpuSimulatorFixture>
{
    private readonly GpuDevice _device = fixture.Device;
    private static readonly ModelOptions Bf16Options = new() { MaxBatchSize = 16, Precision = Precision.Bf16 };

    private static IDlrmDefinition Definition(string model) => ConcatInteractionTests.Definition(model);
    private static ModelState InitialState(IDlrmDefinition definition) => ConcatInteractionTests.InitialState(definition, OptimizerKind.Sgd);
    private static Batch RandomBatch(IDlrmDefinition definition, int rows, int seed) => ConcatInteractionTests.RandomBatch(definition, rows, seed);

    private static double[] Emulate(IDlrmDefinition definition, ModelState state, Batch batch) =>
        Bf16Emulation.Predict(definition.Declaration, EmbeddingLayout.FromDeclaration(definition.Declaration), definition.Embedding, state, batch);

    private static float[] Predict(CudaDlrmBackend backend, Batch batch)
    {
        var p = new float[batch.Count];
        backend.Predict(batch, p);
        return p;
    }

    [Theory]
    [InlineData(nameof(SmallDcnLowRank))]
    [InlineData(nameof(SmallDcnFullRank))]
    [InlineData(nameof(MultiHotDcnV2))]
    public void Predictions_follow_the_bf16_emulation_and_not_fp32(string model)
    {
        IDlrmDefinition definition = Definition(model);
        ModelState state = InitialState(definition);
        using var bf16 = new CudaDlrmBackend(definition, Bf16Options, state, _device);
        using var fp32 = new CudaDlrmBackend(definition, Bf16Options with { Precision = Precision.Fp32 }, state, _device);
        Batch batch = RandomBatch(definition, 16, 3);
        float[] p = Predict(bf16, batch), exact = Predict(fp32, batch);
        double[] expected = Emulate(definition, state, batch);
        output.WriteLine($"largest |bf16 - emulation| {Enumerable.Range(0, 16).Max(i => Math.Abs(p[i] - expected[i])):g3}, " +
            $"|bf16 - fp32| {Enumerable.Range(0, 16).Max(i => Math.Abs(p[i] - exact[i])):g3}");
        // The emulation differs from the device only by F32 (not double) sums and the rare bf16 rounding those flip:
        // ~1e-7 here. A misplaced rounding moves a prediction by ~1e-4 (bf16 against FP32 is ~3e-4).
        for (int i = 0; i < 16; i++) Assert.Equal(expected[i], p[i], 1e-5);
        // and not the FP32 answer by accident: bf16 rounding moves some prediction
        Assert.Contains(Enumerable.Range(0, 16), i => Math.Abs(exact[i] - p[i]) > 1e-4);
    }

    [Theory]
    [InlineData(nameof(SmallDcnLowRank))]
    [InlineData(nameof(SmallDcnFullRank))]
    [InlineData(nameof(MultiHotDcnV2))]
    public void Dense_gradients_follow_the_bf16_emulation(string model)
    {
        IDlrmDefinition definition = Definition(model);
        ModelState state = InitialState(definition);
        using var backend = new CudaDlrmBackend(definition, Bf16Options, state, _device);
        Batch batch = RandomBatch(definition, 16, 100);
        var expected = Bf16Emulation.DenseGradients(definition.Declaration, backend.Layout, definition.Embedding, state, batch);
        backend.TrainStep(batch, 1f); // SGD with lr 1: the update is minus the gradient
        ModelState after = backend.ExportState();
        Assert.Contains("cross.1.bias", expected.Keys);
        foreach (var (name, gradient) in expected)
        {
            double error = SgdStepError.Relative(state, after, name, gradient);
            output.WriteLine($"{name}: relative error {error:g3}");
            // F32 sums against double ones flip a bf16 rounding now and then (one ulp, 2^-8, of one element); a
            // misplaced rounding moves whole tensors by ~2^-9 relative and more.
            Assert.True(error < 1e-3, $"{name}: relative error {error:g3}");
        }
    }

    [Theory]
    [InlineData(nameof(SmallDcnLowRank))]
    [InlineData(nameof(SmallDcnFullRank))]
    [InlineData(nameof(MultiHotDcnV2))]
    public void Training_tracks_the_fp32_cpu_backend_and_keeps_fp32_master_weights(string model)
    {
        IDlrmDefinition definition = Definition(model);
        ModelState state = InitialState(definition);
        using var bf16 = new CudaDlrmBackend(definition, Bf16Options, state, _device);
        using var cpu = new CpuDlrmBackend(definition, Bf16Options with { Precision = Precision.Fp32, Threads = 1 });
        cpu.ImportState(state);
        Batch[] batches = Enumerable.Range(0, 6).Select(i => RandomBatch(definition, 16, 60 + i)).ToArray();
        var epochLoss = new float[3];
        for (int epoch = 0; epoch < epochLoss.Length; epoch++)
            foreach (Batch batch in batches)
            {
                float loss = bf16.TrainStep(batch, 0.05f), reference = cpu.TrainStep(batch, 0.05f);
                // bf16 keeps 8 significant bits: each rounding moves a value by at most 2^-9 relative, and a logit
                // goes through ~10 such roundings (operands, weights, h, x_L, the top MLP's activations): a few 1e-3
                // relative at worst, and the loss, a mean over rows, moves less than the logits; 0.02 leaves room for
                // the slow drift of two trainings whose gradients differ by as much.
                Assert.Equal(reference, loss, 0.02f);
                epochLoss[epoch] += loss / batches.Length;
            }
        output.WriteLine($"mean loss per epoch: {string.Join(", ", epochLoss)}");
        Assert.True(epochLoss[^1] < epochLoss[0], $"BF16 training did not lower the loss ({epochLoss[0]} -> {epochLoss[^1]}).");
        Batch evaluation = RandomBatch(definition, 16, 90);
        var q = new float[16];
        cpu.Predict(evaluation, q);
        float[] p = Predict(bf16, evaluation);
        // The same argument for the probabilities; the two runs drift apart slowly (bf16 gradients differ by ~2^-9).
        for (int i = 0; i < 16; i++) Assert.Equal(q[i], p[i], 0.02);
        // Master weights are F32: updates smaller than half a bf16 ulp of a cross weight are kept.
        Assert.Contains(bf16.ExportState()["cross.0.bias"].Concat(bf16.ExportState()[CrossWeightName(definition, 0)]), w => Bf16.Round(w) != w);
    }

    /// <summary>
    /// After an update the cross layers read bf16 copies of the UPDATED masters: the trained model's predictions follow the
    /// emulation of its exported state, and are measurably away from what stale copies (the cross weights before the
    /// step, everything else after) would predict, so forgetting to refresh the copies fails here.
    /// </summary>
    [Theory]
    [InlineData(nameof(SmallDcnLowRank))]
    [InlineData(nameof(SmallDcnFullRank))]
    public void An_update_refreshes_the_cross_layers_bf16_weight_copies(string model)
    {
        IDlrmDefinition definition = Definition(model);
        ModelState before = InitialState(definition);
        using var backend = new CudaDlrmBackend(definition, Bf16Options, before, _device);
        for (int step = 0; step < 3; step++) backend.TrainStep(RandomBatch(definition, 16, 70 + step), 0.5f);
        ModelState after = backend.ExportState();
        Batch batch = RandomBatch(definition, 16, 91);
        float[] p = Predict(backend, batch);

        double[] expected = Emulate(definition, after, batch);
        var stale = new ModelState();
        foreach (var (name, values) in after.Tensors)
            stale.Add(name, name.StartsWith("cross.", StringComparison.Ordinal) && !name.EndsWith(".bias", StringComparison.Ordinal) ? before[name] : values);
        double[] staleExpected = Emulate(definition, stale, batch);
        double fresh = Enumerable.Range(0, 16).Max(i => Math.Abs(p[i] - expected[i]));
        double off = Enumerable.Range(0, 16).Max(i => Math.Abs(p[i] - staleExpected[i]));
        output.WriteLine($"largest difference from the emulation {fresh:g3}; from stale copies' {off:g3}");
        Assert.True(fresh < 1e-5, $"predictions are {fresh:g3} from the emulation of the updated state");
        Assert.True(off > 1e-4, $"stale copies would predict within {off:g3}: the test could not tell them apart");
    }

    private static string CrossWeightName(IDlrmDefinition definition, int layer) =>
        definition.Declaration.CrossRank > 0 ? $"cross.{layer}.v" : $"cross.{layer}.weight";
}
