using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Cpu;
using RobeGen.Data;
using RobeGen.Lab.Equivalence;
using RobeGen.Tests.Data;
using RobeGen.Tests.Models;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

/// <summary>
/// Cat and DcnV2 (docs/model-math.md): the float64 reference's cross-layer gradients against its own central
/// differences, then the CPU backend against the reference (logits, loss, every gradient, several optimizer steps),
/// on the tiny all-ROBE model and on generated models with ROBE, Full and Hashed tables.
/// </summary>
public sealed class InteractionTests
{
    private static IDlrmDefinition Model(string name) => name switch
    {
        "tiny-cat" => TestModel.Tiny(interaction: InteractionKind.Cat),
        "tiny-dcn-low-rank" => TestModel.Tiny(interaction: InteractionKind.DcnV2, crossLayers: 2, crossRank: 3),
        "tiny-dcn-full-rank" => TestModel.Tiny(interaction: InteractionKind.DcnV2, crossLayers: 3),
        "small-cat" => SmallCat.Definition,
        "small-dcn-low-rank" => SmallDcnLowRank.Definition,
        "small-dcn-full-rank" => SmallDcnFullRank.Definition,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static TheoryData<string> Models =>
        new() { "tiny-cat", "tiny-dcn-low-rank", "tiny-dcn-full-rank", "small-cat", "small-dcn-low-rank", "small-dcn-full-rank" };

    [Theory]
    [InlineData("tiny-dcn-low-rank")]
    [InlineData("tiny-dcn-full-rank")]
    public void Reference_cross_layer_gradients_match_its_central_differences(string name)
    {
        IDlrmDefinition model = Model(name);
        using var backend = new CpuDlrmBackend(model, new ModelOptions { Seed = 5, MaxBatchSize = 8, Threads = 1 });
        ModelState state = WithNonZeroCrossBiases(backend.ExportState());
        var reference = new ReferenceDlrm(backend.Layout, model.Embedding, state);
        Batch batch = TestBatches.Random(model.Declaration, rows: 6, seed: 9);
        StepTrace trace = reference.TraceStep(batch);

        // The cross layers' parameters, and what flows into them: the embeddings and the bottom MLP (through u).
        var names = reference.Parameters.Keys.Where(n => n.StartsWith("cross.", StringComparison.Ordinal)).Append("embedding").Append("bottom.1.weight").ToList();
        Assert.Contains(names, n => n.EndsWith(".bias", StringComparison.Ordinal));
        foreach (string parameter in names)
        {
            double[] numeric = Enumerable.Range(0, reference.Parameters[parameter].Length).Select(i => reference.NumericGradient(batch, parameter, i)).ToArray();
            GradientAssert.Close(numeric, trace[parameter + " gradient"], parameter);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Cpu_logits_loss_and_every_gradient_match_the_reference(string name)
    {
        IDlrmDefinition model = Model(name);
        using var backend = new CpuDlrmBackend(model, new ModelOptions { Seed = 5, MaxBatchSize = 16, Threads = 2 });
        backend.ImportState(WithNonZeroCrossBiases(backend.ExportState()));
        Batch batch = TestBatches.Random(model.Declaration, rows: 11, seed: 9);
        AssertMatchesReference(backend, model, batch);
    }

    [Theory]
    [InlineData("tiny-dcn-low-rank", OptimizerKind.Sgd)]
    [InlineData("small-dcn-low-rank", OptimizerKind.Adagrad)]
    [InlineData("small-dcn-full-rank", OptimizerKind.Sgd)]
    [InlineData("small-cat", OptimizerKind.Adagrad)]
    public void Several_steps_update_the_cross_layers_by_the_references_gradients(string name, OptimizerKind optimizer)
    {
        IDlrmDefinition model = Model(name);
        const float lr = 0.05f;
        using var backend = new CpuDlrmBackend(model, new ModelOptions { Seed = 3, MaxBatchSize = 16, Threads = 2, Optimizer = optimizer });
        for (int step = 0; step < 4; step++)
        {
            Batch batch = TestBatches.Random(model.Declaration, rows: 9, seed: 20 + step);
            ModelState before = backend.ExportState();
            StepTrace trace = new ReferenceDlrm(backend.Layout, model.Embedding, before).TraceStep(batch);
            backend.TrainStep(batch, lr);
            ModelState after = backend.ExportState();
            foreach (var (tensor, values) in before.Tensors.Where(t => t.Key.StartsWith("cross.", StringComparison.Ordinal) || t.Key.StartsWith("top.0.", StringComparison.Ordinal)))
            {
                float[] g = trace[tensor + " gradient"];
                float[] accumulator = optimizer == OptimizerKind.Adagrad ? before[ModelTensorsPrefix + tensor] : [];
                for (int i = 0; i < values.Length; i++)
                {
                    double expected = optimizer == OptimizerKind.Sgd
                        ? values[i] - lr * (double)g[i]
                        : values[i] - lr * (double)g[i] / (Math.Sqrt(accumulator[i] + (double)g[i] * g[i]) + 1e-10);
                    Assert.True(Math.Abs(after[tensor][i] - expected) <= 1e-5 + 1e-4 * Math.Abs(values[i] - expected),
                        $"step {step}, {tensor}[{i}]: {after[tensor][i]:G9}, expected {expected:G9}");
                }
            }
        }
        AssertMatchesReference(backend, model, TestBatches.Random(model.Declaration, rows: 7, seed: 99));
    }

    [Fact]
    public void The_bits_do_not_depend_on_the_thread_count()
    {
        IDlrmDefinition model = SmallDcnLowRank.Definition;
        ModelState Train(int threads)
        {
            using var backend = new CpuDlrmBackend(model, new ModelOptions { Seed = 4, MaxBatchSize = 64, Threads = threads, Optimizer = OptimizerKind.Adagrad });
            for (int step = 0; step < 3; step++) backend.TrainStep(TestBatches.Random(model.Declaration, rows: 64, seed: step), 0.05f);
            return backend.ExportState();
        }
        ModelState one = Train(1), two = Train(2);
        foreach (var (name, values) in one.Tensors) Assert.Equal(values, two[name]);
    }

    [Fact]
    public void Cross_layers_start_xavier_normal_with_zero_biases_and_travel_in_checkpoints()
    {
        IDlrmDefinition model = SmallDcnLowRank.Definition;
        using var backend = new CpuDlrmBackend(model, new ModelOptions { Seed = 4, MaxBatchSize = 8, Optimizer = OptimizerKind.Adagrad });
        ModelState initial = backend.ExportState();
        string[] cross = ["cross.0.v", "cross.0.u", "cross.0.bias", "cross.1.v", "cross.1.u", "cross.1.bias"];
        Assert.Equal(cross, initial.Tensors.Select(t => t.Key).Where(n => n.StartsWith("cross.", StringComparison.Ordinal)));
        Assert.Contains("adagrad.cross.1.u", initial.Tensors.Select(t => t.Key));
        Assert.All(initial["cross.0.bias"], b => Assert.Equal(0f, b));
        Assert.Equal(7 * 100, initial["cross.0.v"].Length);
        double std = Math.Sqrt(initial["cross.0.v"].Concat(initial["cross.0.u"]).Average(v => (double)v * v));
        Assert.InRange(std, 0.8 * Math.Sqrt(2.0 / 107), 1.2 * Math.Sqrt(2.0 / 107));

        backend.TrainStep(TestBatches.Random(model.Declaration, rows: 8, seed: 1), 0.1f);
        using var temp = new TempFolder();
        string path = temp.File("dcn.rgck");
        CheckpointFile.Save(path, Checkpoint.For(model.Declaration, backend.ExportState()));
        using var restored = new CpuDlrmBackend(model, new ModelOptions { Seed = 9, MaxBatchSize = 8, Optimizer = OptimizerKind.Adagrad });
        restored.ImportState(CheckpointFile.Load(path, model.Declaration).State);
        Batch batch = TestBatches.Random(model.Declaration, rows: 8, seed: 2);
        float[] expected = new float[8], actual = new float[8];
        backend.Predict(batch, expected);
        restored.Predict(batch, actual);
        Assert.Equal(expected, actual);
        Assert.NotEqual(initial["cross.1.u"], restored.ExportState()["cross.1.u"]);
    }

    [Theory]
    [InlineData("small-cat")]
    [InlineData("small-dcn-low-rank")]
    public void Int8_predictions_stay_close_with_the_cross_layers_in_fp32(string name)
    {
        IDlrmDefinition model = Model(name);
        using var fp32 = new CpuDlrmBackend(model, new ModelOptions { Seed = 4, MaxBatchSize = 32 });
        using var int8 = new CpuDlrmBackend(model, new ModelOptions { Seed = 4, MaxBatchSize = 32, Precision = Precision.Int8 });
        Batch batch = TestBatches.Random(model.Declaration, rows: 32, seed: 5);
        float[] expected = new float[32], actual = new float[32];
        fp32.Predict(batch, expected);
        int8.Predict(batch, actual);
        for (int i = 0; i < 32; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 0.02, $"row {i}: {actual[i]} vs {expected[i]}");
    }

    private const string ModelTensorsPrefix = "adagrad.";

    /// <summary>Cross biases start at zero; the gradient checks want them not to, so that a dropped bias shows.</summary>
    private static ModelState WithNonZeroCrossBiases(ModelState state)
    {
        var random = new Random(17);
        foreach (var (name, values) in state.Tensors)
            if (name.StartsWith("cross.", StringComparison.Ordinal) && name.EndsWith(".bias", StringComparison.Ordinal))
                for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() - 0.5) * 0.4f;
        return state;
    }

    private static void AssertMatchesReference(CpuDlrmBackend backend, IDlrmDefinition model, Batch batch)
    {
        var reference = new ReferenceDlrm(backend.Layout, model.Embedding, backend.ExportState());
        StepTrace trace = reference.TraceStep(batch);
        var probabilities = new float[batch.Count];
        backend.Predict(batch, probabilities);
        double[] logits = reference.Logits(batch);
        for (int b = 0; b < batch.Count; b++) Assert.Equal(1 / (1 + Math.Exp(-logits[b])), probabilities[b], 1e-6);

        float loss = backend.ComputeGradients(batch);
        Assert.Equal(reference.Loss(batch), loss, 1e-6);
        foreach (string name in reference.Parameters.Keys)
        {
            ReadOnlySpan<float> analytic = name == "embedding" ? backend.EmbeddingGrad : backend.DenseGrad(name);
            GradientAssert.Close(trace[name + " gradient"].Select(v => (double)v).ToArray(), analytic, name);
        }
        Assert.Contains(reference.Parameters.Keys, n => n.StartsWith("top.", StringComparison.Ordinal));
    }
}
