using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Data;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

/// <summary>Steady-state training and prediction allocate nothing, on the caller's thread or the pool's.</summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData(OptimizerKind.Sgd, Precision.Fp32, false)]
    [InlineData(OptimizerKind.Adagrad, Precision.Fp32, false)]
    [InlineData(OptimizerKind.Sgd, Precision.Int8, false)]
    [InlineData(OptimizerKind.Adagrad, Precision.Fp32, true)]   // the generated loops with QuotientRemainder tables
    [InlineData(OptimizerKind.Adagrad, Precision.Fp32, false, InteractionKind.DcnV2)]
    [InlineData(OptimizerKind.Sgd, Precision.Int8, false, InteractionKind.Cat)]
    public void Train_step_and_predict_allocate_nothing_after_warm_up(OptimizerKind optimizer, Precision precision, bool quotientRemainder,
        InteractionKind interaction = InteractionKind.Dot)
    {
        IDlrmDefinition model = interaction switch
        {
            InteractionKind.DcnV2 => Models.SmallDcnLowRank.Definition,
            InteractionKind.Cat => Models.SmallCat.Definition,
            _ => quotientRemainder ? Models.SmallQr.Definition : TestModel.KaggleSmall,
        };
        using var backend = new CpuDlrmBackend(model,
            new ModelOptions { MaxBatchSize = 512, Threads = 2, Optimizer = optimizer, Precision = precision });
        Batch batch = TestBatches.Random(model.Declaration, 512, seed: 1);
        var probabilities = new float[512];
        for (int i = 0; i < 3; i++)
        {
            backend.TrainStep(batch, 0.1f);
            backend.Predict(batch, probabilities);
        }

        // The runtime itself now and then charges a few KB to a thread that allocated nothing (dotnet/runtime#13502,
        // #63487: a GC started by a parallel test, tiering), so one 5-step window is not proof either way. A step that
        // allocates does so in every window; a clean window among a few is the allocation-free steady state.
        var windows = new List<(long Thread, long Workers)>();
        for (int window = 0; window < 4; window++)
        {
            long thread = GC.GetAllocatedBytesForCurrentThread();
            long workers = backend.WorkerAllocatedBytes;
            for (int i = 0; i < 5; i++)
            {
                backend.TrainStep(batch, 0.1f);
                backend.Predict(batch, probabilities);
            }
            windows.Add((GC.GetAllocatedBytesForCurrentThread() - thread, backend.WorkerAllocatedBytes - workers));
            if (windows[^1] == (0, 0)) break;
        }

        Assert.True(windows[^1] == (0, 0),
            "every 5-step window allocated (caller, workers): " + string.Join(", ", windows.Select(w => $"({w.Thread}, {w.Workers})")));
        Assert.True(backend.WorkerAllocatedBytes >= 0);
    }
}
