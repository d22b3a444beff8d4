using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Cuda;
using RobeGen.Initialization;
using RobeGen.Lab.Equivalence;
using RobeGen.Tests.Cuda.TestModels;
using RobeGen.Tests.Models;
using Xunit.Abstractions;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// The CUDA backend with the GENERATED kernels of small declared models (ROBE, Full and Hashed tables; each variant),
/// run on ILGPU's CPU accelerator: layer by layer against the double reference, and trained side by side with the
/// CPU backend from the shared seeded initial state.
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public class GeneratedModelEquivalenceTests(CpuSimulatorFixture fixture, ITestOutputHelper output) : IClassFixture<CpuSimulatorFixture>
{
    public static TheoryData<string> Models => new() { nameof(SmallAuthors), nameof(SmallCircular), nameof(SmallSigned) };

    private static IDlrmDefinition Definition(string name) => name switch
    {
        nameof(SmallAuthors) => SmallAuthors.Definition,
        nameof(SmallCircular) => SmallCircular.Definition,
        _ => SmallSigned.Definition,
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Layers_match_the_reference_with_the_generated_kernels(string model)
    {
        var definition = Definition(model);
        var options = new ModelOptions { MaxBatchSize = 6, DeterministicGradients = true };
        using var backend = new CudaDlrmBackend(definition, options,
            ModelInitializer.Create(EmbeddingLayout.FromDeclaration(definition.Declaration), options.Optimizer, options.Seed), fixture.Device);
        var report = BackendEquivalence.CheckLayers(backend, definition.Embedding, TestStates.RandomBatch(definition.Declaration, 6, 31), 0.2f, options.Optimizer);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Training_agrees_with_the_cpu_backend(string model)
    {
        var definition = Definition(model);
        var options = new ModelOptions { MaxBatchSize = 16, DeterministicGradients = true, Seed = 4, Threads = 1 };
        using var cpu = new CpuDlrmBackend(definition, options);
        using var cuda = new CudaDlrmBackend(definition, options,
            ModelInitializer.Create(EmbeddingLayout.FromDeclaration(definition.Declaration), options.Optimizer, options.Seed), fixture.Device);
        var training = Enumerable.Range(0, 5).Select(i => TestStates.RandomBatch(definition.Declaration, 16, 50 + i)).ToArray();
        var evaluation = Enumerable.Range(0, 2).Select(i => TestStates.RandomBatch(definition.Declaration, 16, 80 + i)).ToArray();

        var report = BackendEquivalence.CheckTraining(cpu, cuda, training, evaluation, steps: 12, learningRate: 0.1f);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adagrad)]
    public void QuotientRemainder_layers_match_the_reference(OptimizerKind optimizer)
    {
        var definition = SmallQr.Definition;
        var options = new ModelOptions { MaxBatchSize = 6, DeterministicGradients = true, Optimizer = optimizer };
        using var backend = new CudaDlrmBackend(definition, options,
            ModelInitializer.Create(EmbeddingLayout.FromDeclaration(definition.Declaration), options.Optimizer, options.Seed), fixture.Device);
        var report = BackendEquivalence.CheckLayers(backend, definition.Embedding, TestStates.RandomBatch(definition.Declaration, 6, 31), 0.2f, options.Optimizer);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, false)]      // atomic scatter, unfused: a QR model skips the fused scatter+SGD
    [InlineData(OptimizerKind.Sgd, true)]       // two sorted pairs per coordinate with the product-rule terms
    [InlineData(OptimizerKind.Adagrad, false)]
    [InlineData(OptimizerKind.Adagrad, true)]
    public void QuotientRemainder_training_agrees_with_the_cpu_backend(OptimizerKind optimizer, bool deterministic)
    {
        var definition = SmallQr.Definition;
        var options = new ModelOptions { MaxBatchSize = 16, DeterministicGradients = deterministic, Seed = 4, Threads = 1, Optimizer = optimizer };
        using var cpu = new CpuDlrmBackend(definition, options);
        using var cuda = new CudaDlrmBackend(definition, options,
            ModelInitializer.Create(EmbeddingLayout.FromDeclaration(definition.Declaration), options.Optimizer, options.Seed), fixture.Device);
        var training = Enumerable.Range(0, 5).Select(i => TestStates.RandomBatch(definition.Declaration, 16, 50 + i)).ToArray();
        var evaluation = Enumerable.Range(0, 2).Select(i => TestStates.RandomBatch(definition.Declaration, 16, 80 + i)).ToArray();

        var report = BackendEquivalence.CheckTraining(cpu, cuda, training, evaluation, steps: 12, learningRate: 0.05f);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    /// <summary>
    /// Run-time overrides of the declared Z or storage: both backends run the generic kernels, the CUDA backend matches
    /// the reference layer by layer and both train alike (with the deterministic gradients, whose Signed signs come from
    /// the generic gather, and with the atomic scatter, fused into SGD or not).
    /// </summary>
    [Theory]
    [InlineData(nameof(SmallSigned), "z=3", true, OptimizerKind.Sgd)]
    [InlineData(nameof(SmallCircular), "z=d", false, OptimizerKind.Sgd)]
    [InlineData(nameof(SmallAuthors), "all-hashed", false, OptimizerKind.Adagrad)]
    [InlineData(nameof(SmallAuthors), "one-hashed", true, OptimizerKind.Adagrad)]
    [InlineData(nameof(SmallQr), "z=3", false, OptimizerKind.Sgd)]
    public void A_layout_override_runs_the_generic_kernels_on_both_backends(string model, string layout, bool deterministic, OptimizerKind optimizer)
    {
        IDlrmDefinition definition = Embedding.EmbeddingCases.Model(model);
        var options = new ModelOptions
        {
            MaxBatchSize = 16,
            DeterministicGradients = deterministic,
            Seed = 4,
            Threads = 1,
            Optimizer = optimizer,
            Embedding = Embedding.EmbeddingCases.Overrides(definition, layout),
        };
        CudaDlrmBackend Cuda(EmbeddingLayout layout) =>
            new(definition, options, ModelInitializer.Create(layout, options.Optimizer, options.Seed), fixture.Device);
        using var cpu = new CpuDlrmBackend(definition, options);
        Assert.False(cpu.Layout.MatchesDeclaredKernels);
        Assert.IsType<GenericEmbeddingKernels>(cpu.EmbeddingKernels);
        using (CudaDlrmBackend traced = Cuda(cpu.Layout))
        {
            Assert.IsType<GenericGpuEmbeddingKernels>(traced.EmbeddingKernels);
            var layers = BackendEquivalence.CheckLayers(traced, definition.Embedding, TestStates.RandomBatch(definition.Declaration, 6, 31), 0.2f, optimizer);
            output.WriteLine(layers.ToString());
            Assert.True(layers.Passed, layers.ToString());
        }

        using CudaDlrmBackend cuda = Cuda(cpu.Layout);
        var training = Enumerable.Range(0, 5).Select(i => TestStates.RandomBatch(definition.Declaration, 16, 50 + i)).ToArray();
        var evaluation = Enumerable.Range(0, 2).Select(i => TestStates.RandomBatch(definition.Declaration, 16, 80 + i)).ToArray();
        var report = BackendEquivalence.CheckTraining(cpu, cuda, training, evaluation, steps: 12, learningRate: 0.05f);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void The_declared_layout_runs_the_generated_kernels_on_both_backends()
    {
        var options = new ModelOptions { MaxBatchSize = 4, Threads = 1, Embedding = new EmbeddingOverrides { RobeSlots = 61 } };
        using var cpu = new CpuDlrmBackend(SmallAuthors.Definition, options);
        using var cuda = new CudaDlrmBackend(SmallAuthors.Definition, options, ModelInitializer.Create(cpu.Layout, options.Optimizer, options.Seed), fixture.Device);
        Assert.Same(SmallAuthors.Definition.Embedding, cpu.EmbeddingKernels);
        Assert.Same(SmallAuthors.Definition.GpuEmbedding, cuda.EmbeddingKernels);
    }

    [Fact]
    public void QuotientRemainder_deterministic_gradients_repeat_bit_for_bit()
    {
        var definition = SmallQr.Definition;
        var options = new ModelOptions { MaxBatchSize = 16, DeterministicGradients = true, Seed = 6, Optimizer = OptimizerKind.Adagrad };
        var training = Enumerable.Range(0, 3).Select(i => TestStates.RandomBatch(definition.Declaration, 16, 90 + i)).ToArray();
        var report = BackendEquivalence.CheckDeterminism(() => new CudaDlrmBackend(definition, options,
            ModelInitializer.Create(EmbeddingLayout.FromDeclaration(definition.Declaration), options.Optimizer, options.Seed), fixture.Device),
            training, steps: 6, learningRate: 0.05f);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }
}
