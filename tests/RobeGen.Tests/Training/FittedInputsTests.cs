using System.Globalization;
using System.IO.Hashing;
using System.Text;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Devices;
using RobeGen.Serving;
using RobeGen.Tests.Data;
using RobeGen.Tests.Models;
using RobeGen.Training;

namespace RobeGen.Tests.Training;

/// <summary>
/// A named model with a Full table and a standardized column trains from CSV with no vocabulary or statistics code:
/// the trainer fits both on the training file, the checkpoint keeps them, and the served model predicts what the
/// trained one did.
/// </summary>
public sealed class FittedInputsTests : IDisposable
{
    private static readonly string[] Countries = ["fr", "de", "it", "es", "nl", "be", "pt"];
    private readonly TempFolder _temp = new();

    /// <summary>Rows whose click depends on the country and the price, written as CSV.</summary>
    private string WriteCsv(string name, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("clicked,price,age,score,user_id,country\n");
        for (int r = 0; r < rows; r++)
        {
            int country = random.Next(Countries.Length);
            double price = Math.Round(random.NextDouble() * 100, 2);
            double p = 1 / (1 + Math.Exp(-(country - 3) * 0.8 + (price - 50) / 25));
            int clicked = random.NextDouble() < p ? 1 : 0;
            text.Append(CultureInfo.InvariantCulture, $"{clicked},{price},{20 + random.Next(50)},{random.NextDouble():F3},u{random.Next(200)},{Countries[country]}\n");
        }
        string path = _temp.File(name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void A_full_table_gets_its_vocabulary_and_the_checkpoint_keeps_it_with_the_statistics()
    {
        var train = TabularData.Open(ShopClicks.Declaration, WriteCsv("train.csv", 3000, 1));
        TabularData test = train.WithFiles(WriteCsv("test.csv", 1000, 2));
        string checkpoint = _temp.File("shop.rgck");
        var options = new ModelOptions { Seed = 3, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = 64, Device = DeviceKind.Cpu };
        float[] trained;
        using (IDlrmBackend model = Dlrm.Create(ShopClicks.Definition, options))
        {
            var trainer = new Trainer(model, new TrainingOptions { Epochs = 2, BatchSize = 64, LearningRate = LearningRateSchedule.Constant(0.05f) },
                saveCheckpoint: snapshot => ModelCheckpoint.Save(checkpoint, model, options, snapshot));
            TrainingSummary summary = trainer.Train(train, test);
            Assert.True(summary.Evaluation!.Auc > 0.7, $"AUC {summary.Evaluation.Auc}");

            // The vocabulary of the Full table: exactly the countries seen, as XxHash32 tokens, in id order.
            Vocabulary vocabulary = summary.Inputs.Vocabulary!;
            ulong[] expected = Countries.Select(c => (ulong)XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(c))).Order().ToArray();
            Assert.Equal(expected, vocabulary.Ids(ShopClicks.Tables.Country.Column).ToArray());
            trained = Predict(model, test.WithVocabulary(VocabularyMapper.For(vocabulary, model.Layout)));
        }

        using Predictor predictor = Predictor.Load(checkpoint, ShopClicks.Definition);
        Assert.Equal(train.ResolvedStatistics["age"], predictor.Loaded.DenseStatistics["age"]);
        Assert.NotNull(predictor.Loaded.Vocabulary);
        // The predictor maps raw ids itself; the file is read with the checkpoint's statistics.
        var served = new TabularData(ShopClicks.Declaration, test.Files) { Statistics = predictor.Loaded.DenseStatistics };
        var probabilities = new List<float>();
        using (IBatchCursor cursor = served.Open(DataPosition.Start, 64))
        {
            var buffer = new float[64];
            while (cursor.MoveNext())
            {
                predictor.Predict(cursor.Current, buffer);
                probabilities.AddRange(buffer.Take(cursor.Current.Count));
            }
        }
        Assert.Equal(trained, probabilities);
    }

    [SharedDataFact]
    public void A_criteo_model_taking_vocabulary_indices_trains_without_a_vocabulary_from_the_user()
    {
        // Before, this threw "tokens must be vocabulary indices": the vocabulary had to be built by hand.
        var (train, eval) = HoldoutSplit.Split([SharedData.PathOf(SharedData.KaggleHead)], 0.2);
        var options = new ModelOptions { Seed = 1, MaxBatchSize = 256, Device = DeviceKind.Cpu };
        using IDlrmBackend model = Dlrm.Create(SmallAuthors.Definition, options);
        TrainingSummary summary = new Trainer(model, new TrainingOptions { BatchSize = 256, LearningRate = LearningRateSchedule.Constant(0.05f) })
            .Train(train.ForModel(SmallAuthors.Declaration), eval.ForModel(SmallAuthors.Declaration));
        Vocabulary vocabulary = summary.Inputs.Vocabulary!;
        // Counted over the training lines' Criteo columns (26), read by each table's own column.
        Assert.Equal(CriteoSchema.CategoricalFeatures, vocabulary.Columns);
        Assert.Equal(49, vocabulary.Ids(SmallAuthors.Tables.Full1.Column).Length); // the 49 most frequent ids fit its 50 rows beside row 0
        Assert.InRange(summary.Evaluation!.Auc, 0.5, 1);
    }

    private static float[] Predict(IDlrmBackend model, ITrainingData data)
    {
        var all = new List<float>();
        var buffer = new float[64];
        using IBatchCursor cursor = data.Open(DataPosition.Start, 64);
        while (cursor.MoveNext())
        {
            model.Predict(cursor.Current, buffer);
            all.AddRange(buffer.Take(cursor.Current.Count));
        }
        return [.. all];
    }

    public void Dispose() => _temp.Dispose();
}
