using RobeGen.Backends;
using RobeGen.Devices;
using RobeGen.Data;
using RobeGen.Metrics;
using RobeGen.Synthetic;
using RobeGen.Tests.Models;
using RobeGen.Tests.TestModels;
using RobeGen.Tests.Training;
using RobeGen.Training;

namespace RobeGen.Tests.Data;

/// <summary>
/// Evaluation rows read once and replayed: every replayed pass gives the source's batches exactly (single- and
/// multi-hot, ids past 32 bits, a short last batch), the source is read once while the copy fits and on every pass
/// when it does not, and a pass that stops early holds nothing; a pass read ahead in the background is the one the
/// first read waits for (its error included), and disposing stops it between batches.
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

    /// <summary>Source data whose cursors count their batches and stop before batch <see cref="GateAt"/> until the gate
    /// opens; batch <see cref="FailAt"/> (when set) throws instead of being read.</summary>
    private sealed class GatedData(ITrainingData inner) : ITrainingData
    {
        public int Opens;
        public int BatchesRead;
        public int GateAt = int.MaxValue;
        public int FailAt = int.MaxValue;
        public readonly ManualResetEventSlim Gate = new(false);
        public readonly ManualResetEventSlim AtGate = new(false);
        public string Description => inner.Description;

        public IBatchCursor Open(DataPosition start, int batchSize)
        {
            Interlocked.Increment(ref Opens);
            return new Cursor(this, inner.Open(start, batchSize));
        }

        private sealed class Cursor(GatedData owner, IBatchCursor inner) : IBatchCursor
        {
            private int _next;
            public Batch Current => inner.Current;
            public DataPosition Position => inner.Position;

            public bool MoveNext()
            {
                if (_next == owner.GateAt)
                {
                    owner.AtGate.Set();
                    owner.Gate.Wait();
                }
                if (_next == owner.FailAt) throw new InvalidDataException($"batch {_next} is damaged");
                _next++;
                bool more = inner.MoveNext();
                if (more) Interlocked.Increment(ref owner.BatchesRead);
                return more;
            }

            public void Dispose() => inner.Dispose();
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_replayed_batch_stays_as_it_was_while_the_next_one_is_written(bool multiHot)
    {
        var source = new InMemoryTrainingData(multiHot ? MultiHot(3) : SingleHot(3));
        var replayed = new ReplayedData(source, budgetBytes: 1 << 20);
        var expected = Read(source);
        BatchSnapshot.AssertSame(expected, Read(replayed)); // recorded
        // The replay writes each next batch on the thread pool: the one being read must not be it.
        List<BatchSnapshot> paused = BatchSnapshot.ReadAll(replayed.Open(DataPosition.Start, BatchRows), batch =>
        {
            BatchSnapshot before = BatchSnapshot.Of(batch);
            Thread.Sleep(5);
            BatchSnapshot.AssertSame([before], [BatchSnapshot.Of(batch)]);
            return before;
        });
        BatchSnapshot.AssertSame(expected, paused);
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_pass_read_ahead_is_taken_over_by_the_first_read_and_then_replayed(bool multiHot)
    {
        var source = new InMemoryTrainingData(multiHot ? MultiHot(4) : SingleHot(4));
        var gated = new GatedData(source) { GateAt = 2 };
        using var replayed = new ReplayedData(gated, budgetBytes: 1 << 20);
        replayed.ReadAhead(BatchRows, maxThreads: 2);
        Assert.True(gated.AtGate.Wait(TimeSpan.FromSeconds(30)));
        Assert.False(replayed.IsHeld);
        // The first read comes while the pass is held at the gate: it takes that pass over (its batches, then its cursor),
        // and the source is neither opened nor read again.
        Task<List<BatchSnapshot>> first = Task.Run(() => Read(replayed));
        gated.Gate.Set();
        BatchSnapshot.AssertSame(Read(source), await first);
        BatchSnapshot.AssertSame(Read(source), Read(replayed));
        Assert.Equal(1, gated.Opens);
        Assert.Equal(multiHot ? 3 : 4, gated.BatchesRead);
        Assert.True(replayed.IsHeld);
    }

    [Fact]
    public void A_first_read_at_another_batch_size_stops_the_pass_ahead_and_reads_the_source_itself()
    {
        var generator = new SyntheticGenerator(new SyntheticSpec { Seed = 8, Cardinalities = SyntheticSpec.CardinalityTable("kaggle", 0.001) });
        var data = new SyntheticTrainingData(generator, 0, 5000);
        var gated = new GatedData(data) { GateAt = 2 };
        using var replayed = new ReplayedData(gated, budgetBytes: 1L << 30);
        replayed.ReadAhead(1000, maxThreads: 2);
        Assert.True(gated.AtGate.Wait(TimeSpan.FromSeconds(30)));
        gated.GateAt = int.MaxValue;
        gated.Gate.Set();
        BatchSnapshot.AssertSame(BatchSnapshot.ReadAll(data.Open(DataPosition.Start, 2048)), BatchSnapshot.ReadAll(replayed.Open(DataPosition.Start, 2048)));
        Assert.Equal(2, gated.Opens);
        Assert.True(replayed.IsHeld);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Synthetic_rows_read_ahead_on_two_threads_are_the_rows_read_directly(bool multiHot)
    {
        // The pass's own loop, its batches drawn ahead and their parallel chunks all share the two threads.
        var generator = new SyntheticGenerator(new SyntheticSpec { Seed = 9, Cardinalities = SyntheticSpec.CardinalityTable("kaggle", 0.001) });
        var data = new SyntheticTrainingData(generator, 0, 5000);
        if (multiHot) data = data.ForModel(MultiHotAuthors.Declaration);
        using var replayed = new ReplayedData(data, budgetBytes: 1L << 30);
        replayed.ReadAhead(2048, maxThreads: 2);
        List<BatchSnapshot> ahead = await Task.Run(() => BatchSnapshot.ReadAll(replayed.Open(DataPosition.Start, 2048))).WaitAsync(TimeSpan.FromMinutes(2));
        BatchSnapshot.AssertSame(BatchSnapshot.ReadAll(data.Open(DataPosition.Start, 2048)), ahead);
        Assert.True(replayed.IsHeld);
    }

    [Fact]
    public void An_error_of_the_pass_read_ahead_is_thrown_by_the_first_read()
    {
        var gated = new GatedData(new InMemoryTrainingData(SingleHot(5))) { FailAt = 1 };
        using var replayed = new ReplayedData(gated, budgetBytes: 1 << 20);
        replayed.ReadAhead(BatchRows, maxThreads: 2);
        var error = Assert.Throws<InvalidDataException>(() => Read(replayed));
        Assert.Equal("batch 1 is damaged", error.Message);
        Assert.False(replayed.IsHeld);
    }

    [Fact]
    public async Task Disposing_stops_the_pass_read_ahead_at_the_next_batch_and_holds_nothing()
    {
        var gated = new GatedData(new InMemoryTrainingData(SingleHot(6))) { GateAt = 2 };
        var replayed = new ReplayedData(gated, budgetBytes: 1 << 20);
        replayed.ReadAhead(BatchRows, maxThreads: 2);
        Assert.True(gated.AtGate.Wait(TimeSpan.FromSeconds(30)));
        Task disposing = Task.Run(replayed.Dispose);
        Assert.True(SpinWait.SpinUntil(() => replayed.IsStoppingReadAhead, TimeSpan.FromSeconds(30)));
        gated.Gate.Set();
        await disposing.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, gated.BatchesRead); // the batch at the gate, then it stopped: 4 batches in all
        Assert.False(replayed.IsHeld);
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
        // Read ahead (the default) or at the first evaluation, the same scores.
        using IDlrmBackend again = Dlrm.Create(model, options);
        var countingAgain = new CountingData(evalRows);
        TrainingSummary notAhead = new Trainer(again, new TrainingOptions { BatchSize = 8, Epochs = 2, EvalEverySteps = 2, EvaluationReadAheadThreads = 0 }).Train(train, countingAgain);
        Assert.Equal(summary.Curve.Select(p => p.Evaluation?.Auc), notAhead.Curve.Select(p => p.Evaluation?.Auc));
        Assert.Equal(1, countingAgain.Opens);
        Assert.Equal(6, summary.Curve.Count(p => p.Evaluation is not null));
        Assert.Equal(1, counting.Opens);
        // The last evaluation (replayed) scores the final model as a fresh read of the source does.
        EvaluationMetrics fresh = new Evaluator(backend).Evaluate(evalRows, 8);
        Assert.Equal(fresh.Auc, summary.Evaluation!.Auc);
        Assert.Equal(fresh.LogLoss, summary.Evaluation.LogLoss);
    }
}
