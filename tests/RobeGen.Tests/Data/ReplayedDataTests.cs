using RobeGen.Backends;
using RobeGen.Devices;
using RobeGen.Data;
using RobeGen.Metrics;
using RobeGen.Tests.TestModels;
using RobeGen.Tests.Training;
using RobeGen.Training;

namespace RobeGen.Tests.Data;

/// <summary>
/// Evaluation rows read once and replayed: every replayed pass gives the source's batches exactly (single- and
/// multi-hot, ids past 32 bits, a short last batch), the source is read once while the copy fits and on every pass
/// when it does not, and a pass that stops early holds nothing.
/// </summary>
public sealed class ReplayedDataTests
{
    private const int Dense = 3, Tables = 4, BatchRows = 5;

    /// <summary>Source data that counts how often it is opened.</summary>
    private sealed class CountingData(ITrainingData inner) : ITrainingData
    {
        public int Opens { get; private set; }
        public string Description => inner.Description;

        public IBatchCursor Open(DataPosition start, int batchSize)
        {
            Opens++;
            return inner.Open(start, batchSize);
        }
    }

    /// <summary>Single-hot batches, the last one short; in batch 1 some ids need 64 bits.</summary>
    private static List<Batch> SingleHot(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 4).Select(b =>
        {
            int rows = b == 3 ? 2 : BatchRows;
            var batch = new Batch(BatchRows, Dense, Tables) { Count = rows };
            for (int i = 0; i < rows; i++) batch.Labels[i] = random.Next(2);
            for (int i = 0; i < rows * Dense; i++) batch.Dense[i] = random.NextSingle();
            for (int i = 0; i < rows * Tables; i++) batch.Tokens[i] = b == 1 && i % 3 == 0 ? ulong.MaxValue - (ulong)i : (ulong)random.NextInt64(1L << 32);
            return batch;
        }).ToList();
    }

    /// <summary>Multi-hot batches with empty and long bags; in batch 2 some ids need 64 bits.</summary>
    private static List<Batch> MultiHot(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 3).Select(b =>
        {
            var batch = new Batch(BatchRows, Dense, Tables, multiHot: true) { Count = BatchRows };
            for (int i = 0; i < BatchRows; i++) batch.Labels[i] = random.Next(2);
            for (int i = 0; i < BatchRows * Dense; i++) batch.Dense[i] = random.NextSingle();
            int next = 0;
            for (int cell = 0; cell < BatchRows * Tables; cell++)
            {
                int count = random.Next(7);
                batch.EnsureIdCapacity(next + count);
                for (int k = 0; k < count; k++) batch.BagIds[next + k] = b == 2 && k == 1 ? (1UL << 40) + (ulong)k : (ulong)random.Next();
                next += count;
                batch.BagOffsets[cell + 1] = next;
            }
            return batch;
        }).ToList();
    }

    private static List<BatchSnapshot> Read(ITrainingData data) => BatchSnapshot.ReadAll(data.Open(DataPosition.Start, BatchRows));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_pass_gives_the_source_batches_and_the_source_is_read_once(bool multiHot)
    {
        var source = new InMemoryTrainingData(multiHot ? MultiHot(1) : SingleHot(1));
        var counting = new CountingData(source);
        var replayed = new ReplayedData(counting, budgetBytes: 1 << 20);
        var expected = Read(source);
        for (int pass = 0; pass < 3; pass++) BatchSnapshot.AssertSame(expected, Read(replayed));
        Assert.Equal(1, counting.Opens);
        Assert.True(replayed.IsHeld);
        Assert.InRange(replayed.HeldBytes, 1, 1 << 20);
    }

    [Fact]
    public void A_copy_over_the_budget_is_dropped_and_every_pass_reads_the_source()
    {
        var source = new InMemoryTrainingData(SingleHot(2));
        var counting = new CountingData(source);
        var replayed = new ReplayedData(counting, budgetBytes: 200); // less than the four batches take
        var expected = Read(source);
        for (int pass = 0; pass < 3; pass++) BatchSnapshot.AssertSame(expected, Read(replayed));
        Assert.Equal(3, counting.Opens);
        Assert.False(replayed.IsHeld);
    }

    [Fact]
    public void A_pass_stopped_before_the_end_holds_nothing_and_the_next_whole_pass_is_held()
    {
        var counting = new CountingData(new InMemoryTrainingData(SingleHot(3)));
        var replayed = new ReplayedData(counting, budgetBytes: 1 << 20);
        using (IBatchCursor cursor = replayed.Open(DataPosition.Start, BatchRows)) Assert.True(cursor.MoveNext());
        Assert.False(replayed.IsHeld);
        var whole = Read(replayed);
        Assert.True(replayed.IsHeld);
        BatchSnapshot.AssertSame(whole, Read(replayed));
        Assert.Equal(2, counting.Opens);
    }

    [Fact]
    public void The_trainer_reads_repeated_evaluation_rows_once_and_scores_them_as_the_source()
    {
        TestModel model = TestModel.Tiny();
        var options = new ModelOptions { Seed = 3, MaxBatchSize = 8, Threads = 1 };
        var train = new InMemoryTrainingData(Enumerable.Range(0, 6).Select(i => TestBatches.Random(model.Declaration, 8, seed: 300 + i)).ToList());
        var evalRows = new InMemoryTrainingData(Enumerable.Range(0, 3).Select(i => TestBatches.Random(model.Declaration, 8, seed: 700 + i)).ToList());
        var counting = new CountingData(evalRows);
        using IDlrmBackend backend = Dlrm.Create(model, options);
        TrainingSummary summary = new Trainer(backend, new TrainingOptions { BatchSize = 8, Epochs = 2, EvalEverySteps = 2 }).Train(train, counting);
        Assert.Equal(6, summary.Curve.Count(p => p.Evaluation is not null));
        Assert.Equal(1, counting.Opens);
        // The last evaluation (replayed) scores the final model as a fresh read of the source does.
        EvaluationMetrics fresh = new Evaluator(backend).Evaluate(evalRows, 8);
        Assert.Equal(fresh.Auc, summary.Evaluation!.Auc);
        Assert.Equal(fresh.LogLoss, summary.Evaluation.LogLoss);
    }
}
