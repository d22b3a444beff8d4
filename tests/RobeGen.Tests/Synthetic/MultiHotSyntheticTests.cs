using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Metrics;
using RobeGen.Synthetic;
using RobeGen.Tests.Models;
using RobeGen.Training;

namespace RobeGen.Tests.Synthetic;

/// <summary>Synthetic multi-hot rows: bag lengths around the declared hotness, rows independent of batching, and a
/// teacher a multi-hot model learns.</summary>
public sealed class MultiHotSyntheticTests
{
    private static readonly SyntheticGenerator Single = new(new SyntheticSpec { Seed = 7, Cardinalities = SyntheticSpec.CardinalityTable("kaggle", 0.001) });

    private static Batch Bags(SyntheticTrainingData data, int rows)
    {
        using IBatchCursor cursor = data.Open(DataPosition.Start, rows);
        Assert.True(cursor.MoveNext());
        return cursor.Current;
    }

    [Fact]
    public void A_multi_hot_model_gets_bags_of_1_to_2_hotness_minus_1_ids()
    {
        ModelDeclaration declaration = MultiHotAuthors.Declaration; // tags Sum 3, user single, genres Mean 2, items Mean 4, city single
        var data = new SyntheticTrainingData(Single, 0, 4000).ForModel(declaration);
        Assert.True(data.Generator.IsMultiHot);
        Batch batch = Bags(data, 4000);
        Assert.True(batch.IsMultiHot);
        Assert.Equal(4000, batch.Count);
        Assert.Equal(3, batch.DenseFeatures);
        for (int t = 0; t < declaration.TableCount; t++)
        {
            EmbeddingTable table = declaration.Tables[t];
            int[] lengths = Enumerable.Range(0, batch.Count).Select(r => batch.Bag(r, t).Length).ToArray();
            int max = table.IsMultiHot ? 2 * table.Hotness - 1 : 1;
            Assert.All(lengths, l => Assert.InRange(l, 1, max));
            Assert.Equal(table.IsMultiHot ? table.Hotness : 1, lengths.Average(), 0.15);
            if (table.IsMultiHot) Assert.Contains(max, lengths);
        }
        // Ids are the column's 32-bit ids.
        Assert.All(batch.BagIds.AsSpan(0, batch.IdCount).ToArray(), id => Assert.True(id <= uint.MaxValue));
        Assert.Single(batch.Labels.AsSpan(0, batch.Count).ToArray().Distinct().Where(l => l is not (0f or 1f)).Append(-1f));
    }

    [Fact]
    public void A_batch_drawn_in_parallel_chunks_holds_the_rows_one_at_a_time()
    {
        ModelDeclaration declaration = MultiHotAuthors.Declaration;
        SyntheticGenerator bags = Single.ForMultiHot(declaration);
        int[] columns = declaration.Tables.Select(t => t.Column).ToArray();
        const int rows = 3000; // several chunks on any core count (a chunk is max(64, rows / (2 cores)) rows)
        var batch = new Batch(rows, declaration.DenseFeatures, columns.Length, multiHot: true, idsPerCell: 1);
        bags.FillBags(batch, 500, rows, declaration.DenseFeatures, columns);

        Span<long> counts = stackalloc long[SyntheticGenerator.DenseColumns];
        Span<int> lengths = stackalloc int[SyntheticGenerator.TokenColumns];
        var ids = new uint[bags.MaxRowIds];
        for (int r = 0; r < rows; r++)
        {
            bags.BagRow(500 + r, counts, lengths, ids, out bool clicked);
            Assert.Equal(clicked ? 1f : 0f, batch.Labels[r]);
            for (int t = 0; t < columns.Length; t++)
            {
                uint[] expected = ids.AsSpan(bags.BagStart(columns[t]), lengths[columns[t]]).ToArray();
                Assert.Equal(expected.Select(id => (ulong)id), batch.Bag(r, t).ToArray());
            }
        }
        Assert.Equal(rows, batch.Count);
    }

    [Fact]
    public void The_teacher_of_multi_hot_rows_is_scored_on_the_bags_and_labels_the_model_sees()
    {
        ModelDeclaration declaration = MultiHotAuthors.Declaration;
        SyntheticGenerator bags = Single.ForMultiHot(declaration);
        int[] columns = declaration.Tables.Select(t => t.Column).ToArray();
        const int rows = 20_000;
        long first = SyntheticTrainingData.EvaluationRowBase;
        var batch = new Batch(rows, declaration.DenseFeatures, columns.Length, multiHot: true, idsPerCell: 1);
        bags.FillBags(batch, first, rows, declaration.DenseFeatures, columns);

        // The slow obvious score: each row's own BagRow probability against the label the model's batch holds.
        Span<long> counts = stackalloc long[SyntheticGenerator.DenseColumns];
        Span<int> lengths = stackalloc int[SyntheticGenerator.TokenColumns];
        var ids = new uint[bags.MaxRowIds];
        var probabilities = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            probabilities[r] = (float)(1 / (1 + Math.Exp(-bags.BagRow(first + r, counts, lengths, ids, out _))));
        }
        var expected = new MetricsAccumulator();
        expected.Add(probabilities, batch.Labels.AsSpan(0, rows));
        EvaluationMetrics slow = expected.Compute();

        EvaluationMetrics teacher = TeacherQuality.Measure(bags, first, rows, batchSize: 7_000); // batches end mid-range
        Assert.Equal(slow.Auc, teacher.Auc, 12);
        Assert.Equal(slow.LogLoss, teacher.LogLoss, 9);
        Assert.Equal(slow.ObservedCtr, teacher.ObservedCtr, 12);
        // The single-hot generator draws other rows and labels: its teacher's score is not this one (it was what a
        // multi-hot study printed as its teacher before, and a model scored above it).
        Assert.NotEqual(teacher.Auc, TeacherQuality.Measure(Single, first, rows).Auc, 4);
    }

    [Fact]
    public void Rows_do_not_depend_on_the_batching()
    {
        var data = new SyntheticTrainingData(Single, 100, 300).ForModel(MultiHotSigned.Declaration);
        Batch whole = Bags(data, 300);
        int[] wholeOffsets = whole.BagOffsets.AsSpan(0, 300 * whole.Tables + 1).ToArray();
        ulong[] wholeIds = whole.BagIds.AsSpan(0, whole.IdCount).ToArray();
        float[] wholeLabels = whole.LabelSpan.ToArray();

        var ids = new List<ulong>();
        var labels = new List<float>();
        var lengths = new List<int>();
        using IBatchCursor cursor = data.Open(DataPosition.Start, 77);
        while (cursor.MoveNext())
        {
            Batch b = cursor.Current;
            ids.AddRange(b.BagIds.AsSpan(0, b.IdCount).ToArray());
            labels.AddRange(b.LabelSpan.ToArray());
            for (int c = 0; c < b.Count * b.Tables; c++) lengths.Add(b.BagOffsets[c + 1] - b.BagOffsets[c]);
        }
        Assert.Equal(wholeIds, ids);
        Assert.Equal(wholeLabels, labels);
        Assert.Equal(Enumerable.Range(0, 300 * whole.Tables).Select(c => wholeOffsets[c + 1] - wholeOffsets[c]), lengths);
    }

    [Fact]
    public void A_single_hot_model_still_gets_the_single_hot_rows()
    {
        var data = new SyntheticTrainingData(Single, 0, 10).ForModel(Models.SmallAuthors.Declaration);
        Assert.False(data.Generator.IsMultiHot);
        Assert.False(Bags(data, 10).IsMultiHot);
    }

    [Fact]
    public void Training_on_synthetic_multi_hot_rows_lowers_the_loss()
    {
        // The model reads token columns 0 and 1 (bags of 3): give them 40 ids each and the other 24 columns one id (a
        // constant teacher term), so the teacher's signal is in what the model sees.
        var cardinalities = Enumerable.Repeat(1L, 26).ToArray();
        cardinalities[0] = cardinalities[1] = 40;
        var spec = new SyntheticSpec { Seed = 11, Cardinalities = [.. cardinalities], TokenSignal = 1.0, InteractionPairs = 0 };
        var generator = new SyntheticGenerator(spec);
        ITrainingData train = new SyntheticTrainingData(generator, 0, 40_000).ForModel(MultiHotCircular.Declaration);
        ITrainingData eval = new SyntheticTrainingData(generator, SyntheticTrainingData.EvaluationRowBase, 8_000).ForModel(MultiHotCircular.Declaration);
        using IDlrmBackend model = Dlrm.Create(MultiHotCircular.Definition, new ModelOptions { Seed = 2, MaxBatchSize = 256, Threads = 2, Optimizer = OptimizerKind.Adagrad });
        EvaluationMetrics before = new Evaluator(model).Evaluate(eval, 256);
        TrainingSummary summary = new Trainer(model, new TrainingOptions { Epochs = 2, BatchSize = 256, LearningRate = LearningRateSchedule.Constant(0.05f) })
            .Train(train, eval);
        EvaluationMetrics after = summary.Evaluation!;
        Assert.True(after.LogLoss < before.LogLoss - 0.01, $"logloss {before} -> {after}");
        Assert.True(after.Auc > 0.6, $"{before} -> {after}");
    }
}
