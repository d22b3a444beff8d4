using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Tests.Cuda.TestModels;

namespace RobeGen.Tests.Cuda;

[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public class CudaBackendSmokeTests
{
    [Fact]
    public void Trains_and_predicts_on_the_cpu_accelerator()
    {
        var declaration = TinyModels.Declaration();
        var layout = EmbeddingLayout.FromDeclaration(declaration);
        var options = new ModelOptions { MaxBatchSize = 8, Device = DeviceKind.Cuda };
        using var device = GpuDevice.CreateCpuSimulator();
        using var backend = new CudaDlrmBackend(TinyModels.Definition(declaration), options, TestStates.RandomState(declaration, layout, OptimizerKind.Sgd, 1), device);
        var batch = TestStates.RandomBatch(declaration, 8, 2);
        float first = backend.TrainStep(batch, 0.1f);
        float loss = first;
        for (int i = 0; i < 20; i++) loss = backend.TrainStep(batch, 0.1f);
        Assert.True(float.IsFinite(first));
        Assert.True(loss < first, $"loss {first} -> {loss}");
        var p = new float[8];
        backend.Predict(batch, p);
        Assert.All(p, v => Assert.InRange(v, 0f, 1f));
    }
}
