using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Data;
using RobeGen.Lab.Equivalence;
using RobeGen.Models;
using RobeGen.Tests.Models;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

/// <summary>The CPU backend on models the source generator built: its generated gather/scatter loops in the full
/// training step, checked against the float64 reference and against the hand-built reference kernels.</summary>
public sealed class GeneratedModelTests
{
    public static TheoryData<string, int?, long?> Models => new()
    {
        // Two ROBE tables, one Full, one Hashed; d = 20 with Z = 8 (blocks 8, 8 and a partial 4); m = 97, so blocks
        // overlap (and wrap, for Circular).
        { nameof(SmallAuthors), null, null },
        { nameof(SmallCircular), null, null },
        { nameof(SmallSigned), null, null },
        // A run-time block size and slot count: the generic (hand-written, not unrolled) loops.
        { nameof(SmallAuthors), 3, 41 },
        { nameof(SmallCircular), 6, 23 },
    };

    private static IDlrmDefinition Definition(string name) => name switch
    {
        nameof(SmallAuthors) => SmallAuthors.Definition,
        nameof(SmallCircular) => SmallCircular.Definition,
        nameof(SmallSigned) => SmallSigned.Definition,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Gradients_of_a_generated_model_match_central_differences(string name, int? blockSize, long? slots)
    {
        IDlrmDefinition model = Definition(name);
        var options = new ModelOptions
        {
            Seed = 3,
            MaxBatchSize = 8,
            Threads = 2,
            Embedding = new EmbeddingOverrides { BlockSize = blockSize, RobeSlots = slots },
        };
        using var backend = new CpuDlrmBackend(model, options);
        // The declared Z runs the generated loops, another one the generic loops.
        Assert.Equal(blockSize is null, ReferenceEquals(model.Embedding, backend.EmbeddingKernels));
        Batch batch = TestBatches.Random(model.Declaration, rows: 5, seed: 12);
        var reference = new ReferenceDlrm(backend.Layout, model.Embedding, backend.ExportState());

        float loss = backend.ComputeGradients(batch);
        Assert.Equal(reference.Loss(batch), loss, 1e-6);
        foreach (var (tensor, values) in reference.Parameters)
        {
            double[] numeric = Enumerable.Range(0, values.Length).Select(i => reference.NumericGradient(batch, tensor, i)).ToArray();
            GradientAssert.Close(numeric, tensor == "embedding" ? backend.EmbeddingGrad : backend.DenseGrad(tensor), tensor);
        }
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adagrad)]
    public void Generated_CriteoKaggle_trains_exactly_like_the_reference_kernels(OptimizerKind optimizer)
    {
        // The same declaration twice: once with the generated loops, once with the slow reference kernels.
        var options = new ModelOptions { Seed = 9, MaxBatchSize = 48, Threads = 2, Optimizer = optimizer };
        using var generated = new CpuDlrmBackend(CriteoKaggle.Definition, options);
        using var reference = new CpuDlrmBackend(TestModel.KaggleShaped(), options);
        for (int step = 0; step < 3; step++)
        {
            Batch batch = TestBatches.Random(CriteoKaggle.Declaration, rows: 48, seed: step);
            Assert.Equal(reference.TrainStep(batch, 0.1f), generated.TrainStep(batch, 0.1f));
        }
        ModelState a = generated.ExportState(), b = reference.ExportState();
        foreach (var (tensor, values) in b.Tensors) Assert.Equal(values, a[tensor]);
    }
}
