using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Models;
using RobeGen.Tests.Data;
using RobeGen.Training;

namespace RobeGen.Tests.Training;

/// <summary>
/// Guards the headline figure of docs/accuracy-kaggle.md on real rows: the Criteo Kaggle model with its tables
/// compressed 1000x into a ROBE array reaches a mean AUC of at least 0.73 over three seeds (training on the first
/// 10,000 lines of train.txt, evaluating on 10,000 other lines) and stays within 0.005 of the same model with full
/// tables. Skipped, with a message, where ../shared/data is absent.
/// </summary>
public sealed class KaggleAccuracyTests
{
    private static readonly int[] Seeds = [1, 2, 3];

    [SharedDataFact]
    public void Robe_at_1000x_reaches_0_73_AUC_and_matches_full_tables_within_0_005()
    {
        var train = new CriteoTrainingData([SharedData.PathOf(SharedData.KaggleHead)]);
        var eval = new CriteoTrainingData([SharedData.PathOf(SharedData.KaggleSample)]);

        double robe = Seeds.Average(seed => TrainAndEvaluate(train, eval, seed, new StorageChoice()));
        double fullAuc = Seeds.Average(seed => TrainAndEvaluate(train, eval, seed, new StorageChoice(EmbeddingStorage.Full)));

        Assert.True(CriteoKaggle.CompressionRatio > 999, $"the declared model compresses {CriteoKaggle.CompressionRatio:F1}x");
        Assert.True(robe >= 0.73, $"ROBE 1000x mean AUC {robe:F4} < 0.73");
        Assert.True(robe >= fullAuc - 0.005, $"ROBE 1000x mean AUC {robe:F4} is more than 0.005 below Full's {fullAuc:F4}");
    }

    // The same model building as `robegen train` (a vocabulary pass for Full tables), so the test guards what users run.
    private static double TrainAndEvaluate(CriteoTrainingData train, CriteoTrainingData eval, int seed, StorageChoice storage)
    {
        var options = new ModelOptions { Seed = seed, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = 128 };
        NewModel built = ModelSetup.Create(CriteoKaggle.Definition, options, storage, train);
        using IDlrmBackend model = built.Model;
        var trainer = new Trainer(model, new TrainingOptions { BatchSize = 128, LearningRate = LearningRateSchedule.Constant(0.01f) });
        TrainingSummary summary = trainer.Train(train.WithVocabulary(built.Mapper), eval.WithVocabulary(built.Mapper));
        return summary.Evaluation!.Auc;
    }
}
