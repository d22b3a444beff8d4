using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Data;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

[CollectionDefinition(nameof(AllocationSensitive), DisableParallelization = true)]
public sealed class AllocationSensitive;

/// <summary>Steady-state training and prediction allocate nothing, on the caller's thread or the pool's.</summary>
[Collection(nameof(AllocationSensitive))]
public sealed class AllocationTests
{
    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adagrad)]
    public void Train_step_and_predict_allocate_nothing_after_warm_up(OptimizerKind optimizer)
    {
        using var backend = new CpuDlrmBackend(TestModel.KaggleSmall, new ModelOptions { MaxBatchSize = 512, Threads = 2, Optimizer = optimizer });
        Batch batch = TestBatches.Random(TestModel.KaggleSmall.Declaration, 512, seed: 1);
        var probabilities = new float[512];
        for (int i = 0; i < 3; i++)
        {
            backend.TrainStep(batch, 0.1f);
            backend.Predict(batch, probabilities);
        }

        long thread = GC.GetAllocatedBytesForCurrentThread();
        long total = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 5; i++)
        {
            backend.TrainStep(batch, 0.1f);
            backend.Predict(batch, probabilities);
        }
        long threadBytes = GC.GetAllocatedBytesForCurrentThread() - thread;
        long totalBytes = GC.GetTotalAllocatedBytes(precise: true) - total;

        Assert.Equal(0, threadBytes);
        // Process-wide: the workers too. The test runner may allocate a little on its own threads meanwhile,
        // but far less than one buffer of a step would take.
        Assert.True(totalBytes < 4096, $"{totalBytes} bytes allocated across threads during 5 steps");
    }
}
