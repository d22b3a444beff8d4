using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Lab.Equivalence;
using RobeGen.Tests.Cuda.TestModels;
using Xunit.Abstractions;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// Every layer's forward and backward of the CUDA backend (its ILGPU kernels on the CPU accelerator) against the
/// double-precision reference, within 1e-5 of each tensor's scale, for the variants, storages and both gradient modes.
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public class LayerEquivalenceTests(CpuSimulatorFixture fixture, ITestOutputHelper output) : IClassFixture<CpuSimulatorFixture>
{
    public static TheoryData<string, bool> Cases => new()
    {
        { "authors", false }, { "authors", true },
        { "circular", false }, { "circular", true },
        { "signed", false }, { "signed", true },
        { "partial-block", false }, { "partial-block", true },
        { "full-hashed-robe", false }, { "full-hashed-robe", true },
        { "adagrad", false }, { "adagrad", true },
        { "deep", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_layer_matches_the_double_precision_reference(string name, bool deterministic)
    {
        var declaration = name switch
        {
            "circular" => TinyModels.Declaration(RobeVariant.Circular, slots: 9), // small m: blocks wrap
            "signed" => TinyModels.Declaration(RobeVariant.Signed),
            "partial-block" => TinyModels.Declaration(dim: 5, blockSize: 2, bottom: [7, 5]), // Z does not divide d
            // More bottom than top layers: the bottom backward reuses both ping-pong gradient buffers.
            "deep" => TinyModels.Declaration(bottom: [8, 6, 5, 4], top: [3]),
            "full-hashed-robe" => TinyModels.Declaration(storage: [EmbeddingStorage.Full, EmbeddingStorage.Hashed, EmbeddingStorage.Robe]),
            _ => TinyModels.Declaration(),
        };
        var optimizer = name == "adagrad" ? OptimizerKind.Adagrad : OptimizerKind.Sgd;
        var layout = EmbeddingLayout.FromDeclaration(declaration);
        var state = TestStates.RandomState(declaration, layout, optimizer, seed: 3);
        if (optimizer == OptimizerKind.Adagrad) FillAccumulators(state); // a zero G makes tiny float noise look like a full step
        var definition = TinyModels.Definition(declaration);
        var options = new ModelOptions { MaxBatchSize = 6, Optimizer = optimizer, DeterministicGradients = deterministic };
        using var backend = new CudaDlrmBackend(definition, options, state, fixture.Device);

        var report = BackendEquivalence.CheckLayers(backend, definition.Embedding, TestStates.RandomBatch(declaration, 5, seed: 4),
            learningRate: 0.3f, optimizer);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Contains(report.Results, r => r.Name == "embedding gradient");
        Assert.Contains(report.Results, r => r.Name.StartsWith("embedding after", StringComparison.Ordinal));
    }

    [Fact]
    public void A_broken_layer_is_caught()
    {
        // The check must be able to fail: hand the reference another state than the backend holds.
        var declaration = TinyModels.Declaration();
        var layout = EmbeddingLayout.FromDeclaration(declaration);
        var definition = TinyModels.Definition(declaration);
        using var backend = new CudaDlrmBackend(definition, new ModelOptions { MaxBatchSize = 4 },
            TestStates.RandomState(declaration, layout, OptimizerKind.Sgd, 1), fixture.Device);
        var batch = TestStates.RandomBatch(declaration, 4, 2);
        var reference = new ReferenceDlrm(layout, definition.Embedding, backend.ExportState()).TraceStep(batch);
        var state = backend.ExportState();
        foreach (ref float bias in state["top.0.bias"].AsSpan()) bias += 0.5f;
        backend.ImportState(state);
        var actual = CudaStepTracer.TraceTrainStep(backend, batch, 0.1f);
        var report = new EquivalenceReport("tampered");
        report.CompareTensors("top.0 output", reference["top.0 output"], actual["top.0 output"], 1e-5);
        report.CompareTensors("bottom.0 output", reference["bottom.0 output"], actual["bottom.0 output"], 1e-5);
        Assert.False(report.Results[0].Passed);
        Assert.True(report.Results[1].Passed);
    }

    private static void FillAccumulators(ModelState state)
    {
        var random = new Random(5);
        foreach (var (name, values) in state.Tensors)
            if (name.StartsWith("adagrad.", StringComparison.Ordinal))
                for (int i = 0; i < values.Length; i++) values[i] = 0.05f + (float)random.NextDouble();
    }
}
