using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Cuda;
using RobeGen.Cuda.Kernels;
using RobeGen.Lab.Equivalence;
using RobeGen.Tests.Cuda.TestModels;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// Precision.Bf16 on ILGPU's CPU accelerator (the reference GEMM stands in for cuBLASLt): predictions against a slow host
/// emulation of the documented bf16 arithmetic, and training against the FP32 CPU backend.
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public class Bf16BackendTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    private readonly GpuDevice _device = fixture.Device;

    [Theory]
    [InlineData(4, 2, 3)]      // every width below 8: all padded
    [InlineData(16, 4, 13)]    // 13 dense features like Criteo (padded to 16)
    public void Predictions_follow_the_bf16_emulation(int dim, int blockSize, int dense)
    {
        var declaration = TinyModels.Declaration(dim: dim, blockSize: blockSize, dense: dense, bottom: [10, dim], top: [12, 6]);
        var layout = EmbeddingLayout.FromDeclaration(declaration);
        var state = TestStates.RandomState(declaration, layout, OptimizerKind.Sgd, 5);
        using var backend = new CudaDlrmBackend(TinyModels.Definition(declaration), new ModelOptions { MaxBatchSize = 9, Precision = Precision.Bf16 }, state, _device);
        var batch = TestStates.RandomBatch(declaration, 9, 4);
        var probabilities = new float[9];
        backend.Predict(batch, probabilities);

        double[] expected = Bf16Emulation.Predict(declaration, layout, TinyModels.Definition(declaration).Embedding, state, batch);
        for (int i = 0; i < 9; i++) Assert.Equal(expected[i], probabilities[i], 2e-3);
        // and not the FP32 answer by accident: bf16 rounding moves some prediction
        using var fp32 = new CudaDlrmBackend(TinyModels.Definition(declaration), new ModelOptions { MaxBatchSize = 9 }, state, _device);
        var exact = new float[9];
        fp32.Predict(batch, exact);
        Assert.Contains(Enumerable.Range(0, 9), i => exact[i] != probabilities[i]);
    }

    [Fact]
    public void Dense_gradients_follow_the_bf16_emulation()
    {
        var declaration = TinyModels.Declaration(dim: 16, blockSize: 4, dense: 5, bottom: [24, 16], top: [16]);
        var layout = EmbeddingLayout.FromDeclaration(declaration);
        var state = TestStates.RandomState(declaration, layout, OptimizerKind.Sgd, 9);
        using var backend = new CudaDlrmBackend(TinyModels.Definition(declaration), new ModelOptions { MaxBatchSize = 32, Precision = Precision.Bf16 }, state, _device);
        var batch = TestStates.RandomBatch(declaration, 32, 100);
        backend.TrainStep(batch, 1f); // SGD with lr 1: the update is minus the gradient
        ModelState after = backend.ExportState();
        var expected = Bf16Emulation.DenseGradients(declaration, layout, TinyModels.Definition(declaration).Embedding, state, batch);
        foreach (var (name, gradient) in expected)
        {
            double error = SgdStepError.Relative(state, after, name, gradient);
            Assert.True(error < 1e-4, $"{name}: relative error {error:g3}");
        }
    }

    [Fact]
    public void Training_tracks_the_fp32_cpu_backend_and_keeps_fp32_master_weights()
    {
        var declaration = TinyModels.Declaration(dim: 16, blockSize: 4, dense: 5, bottom: [24, 16], top: [16]);
        var layout = EmbeddingLayout.FromDeclaration(declaration);
        var state = TestStates.RandomState(declaration, layout, OptimizerKind.Sgd, 9);
        var options = new ModelOptions { MaxBatchSize = 32 };
        using var bf16 = new CudaDlrmBackend(TinyModels.Definition(declaration), options with { Precision = Precision.Bf16 }, state, _device);
        using var cpu = new CpuDlrmBackend(TinyModels.Definition(declaration), options with { Threads = 1 });
        cpu.ImportState(state);
        var batches = Enumerable.Range(0, 12).Select(i => TestStates.RandomBatch(declaration, 32, 100 + i)).ToArray();
        float first = 0, last = 0;
        for (int i = 0; i < 2; i++)
            foreach (var batch in batches)
            {
                float loss = bf16.TrainStep(batch, 0.1f);
                cpu.TrainStep(batch, 0.1f);
                if (first == 0) first = loss;
                last = loss;
            }
        Assert.True(last < first, $"BF16 training did not lower the loss ({first} -> {last}).");
        var p = new float[32];
        var q = new float[32];
        bf16.Predict(batches[0], p);
        cpu.Predict(batches[0], q);
        // bf16 rounding moves gradients by a few percent (ReLU units near zero flip): the two runs drift apart slowly.
        for (int i = 0; i < 32; i++) Assert.Equal(q[i], p[i], 0.03);
        // Master weights are F32: an update smaller than half a bf16 ulp of the weight is kept.
        float[] weights = bf16.ExportState()["bottom.0.weight"];
        Assert.Contains(weights, w => Bf16.Round(w) != w);
    }
}

