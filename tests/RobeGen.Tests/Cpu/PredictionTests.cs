using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Data;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

/// <summary>Prediction reuses weights packed once per parameter version: rows alone match rows in a batch, and every
/// change of the parameters (a step, an import) is seen by the next prediction.</summary>
public sealed class PredictionTests
{
    private static ModelOptions Options => new() { MaxBatchSize = 64, Threads = 2 };

    [Fact]
    public void Single_row_predictions_match_the_batch_bit_for_bit()
    {
        using var backend = new CpuDlrmBackend(TestModel.KaggleSmall, Options);
        Batch batch = TestBatches.Random(TestModel.KaggleSmall.Declaration, 37, seed: 3);
        var expected = new float[batch.Count];
        backend.Predict(batch, expected);

        var row = new Batch(1, batch.DenseFeatures, batch.Tables) { Count = 1 };
        var probability = new float[1];
        for (int i = 0; i < batch.Count; i++)
        {
            batch.Dense.AsSpan(i * batch.DenseFeatures, batch.DenseFeatures).CopyTo(row.Dense);
            batch.Tokens.AsSpan(i * batch.Tables, batch.Tables).CopyTo(row.Tokens);
            backend.Predict(row, probability);
            Assert.Equal(expected[i], probability[0]);
        }
    }

    [Fact]
    public void Predictions_follow_training_steps_and_imports()
    {
        using var trained = new CpuDlrmBackend(TestModel.KaggleSmall, Options);
        Batch batch = TestBatches.Random(TestModel.KaggleSmall.Declaration, 48, seed: 4);
        var before = new float[batch.Count];
        var after = new float[batch.Count];
        trained.Predict(batch, before);
        trained.TrainStep(batch, 0.5f);
        trained.Predict(batch, after);
        Assert.NotEqual(before, after);

        // A model that never predicted before the step, given the trained parameters, predicts the same bits.
        using var fresh = new CpuDlrmBackend(TestModel.KaggleSmall, Options with { Seed = 99 });
        var stale = new float[batch.Count];
        fresh.Predict(batch, stale);
        fresh.ImportState(trained.ExportState());
        var imported = new float[batch.Count];
        fresh.Predict(batch, imported);
        Assert.Equal(after, imported);
    }
}
