using System.Collections.Immutable;
using RobeGen.Data;
using RobeGen.Metrics;
using RobeGen.Synthetic;
using RobeGen.Tests.Data;

namespace RobeGen.Tests.Synthetic;

public class SyntheticDataTests
{
    private static SyntheticSpec Spec(long seed = 5, double scale = 0.001) => new()
    {
        Seed = seed,
        Cardinalities = SyntheticSpec.CardinalityTable("kaggle", scale),
    };

    private static readonly SyntheticGenerator Generator = new(Spec());

    private static Batch Fill(SyntheticGenerator generator, long first, int count)
    {
        var batch = new Batch(count, 13, 26);
        generator.Fill(batch, first, count);
        return batch;
    }

    private static void AssertSameRows(Batch a, Batch b)
    {
        Assert.Equal(a.Count, b.Count);
        Assert.Equal(a.LabelSpan.ToArray(), b.LabelSpan.ToArray());
        Assert.Equal(a.DenseSpan.ToArray(), b.DenseSpan.ToArray());
        Assert.Equal(a.TokenSpan.ToArray(), b.TokenSpan.ToArray());
    }

    [Fact]
    public void Rows_depend_only_on_seed_and_index_not_on_batching_or_threads()
    {
        Batch whole = Fill(Generator, 1000, 5000); // parallel chunks
        var pieces = new SyntheticTrainingData(Generator, 1000, 5000).Open(DataPosition.Start, 77);
        int row = 0;
        while (pieces.MoveNext())
        {
            Batch b = pieces.Current;
            Assert.Equal(whole.Labels.AsSpan(row, b.Count).ToArray(), b.LabelSpan.ToArray());
            Assert.Equal(whole.Tokens.AsSpan(row * 26, b.Count * 26).ToArray(), b.TokenSpan.ToArray());
            Assert.Equal(whole.Dense.AsSpan(row * 13, b.Count * 13).ToArray(), b.DenseSpan.ToArray());
            row += b.Count;
        }
        Assert.Equal(5000, row);
        AssertSameRows(whole, Fill(new SyntheticGenerator(Spec()), 1000, 5000));
        Assert.NotEqual(whole.TokenSpan.ToArray(), Fill(new SyntheticGenerator(Spec(seed: 6)), 1000, 5000).TokenSpan.ToArray());
    }

    /// <summary>A scheduler that runs its tasks on the thread pool and counts them.</summary>
    private sealed class CountingScheduler : TaskScheduler
    {
        public int Queued;
        protected override void QueueTask(Task task)
        {
            Interlocked.Increment(ref Queued);
            ThreadPool.UnsafeQueueUserWorkItem(_ => TryExecuteTask(task), null);
        }
        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);
        protected override IEnumerable<Task> GetScheduledTasks() => [];
    }

    [Fact]
    public async Task A_cursor_draws_its_rows_on_the_scheduler_it_is_opened_from_and_they_are_the_same_rows()
    {
        // What lets a pass read ahead on a few threads (ReplayedData.ReadAhead) keep the drawing of its rows there.
        var scheduler = new CountingScheduler();
        var data = new SyntheticTrainingData(Generator, 1000, 5000);
        List<BatchSnapshot> there = await Task.Factory.StartNew(() => BatchSnapshot.ReadAll(data.Open(DataPosition.Start, 2048)),
            CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler);
        // One task for the pass, one per batch drawn ahead (3), and the parallel chunks of the 2,048-row batches.
        Assert.True(scheduler.Queued > 4, $"{scheduler.Queued} tasks came to the scheduler");
        BatchSnapshot.AssertSame(BatchSnapshot.ReadAll(data.Open(DataPosition.Start, 2048)), there);
    }

    [Fact]
    public void The_current_batch_stays_as_it_was_while_the_next_ones_are_made()
    {
        // The cursor makes batches ahead into buffers of its own: none of them may be the one the caller still reads.
        var data = new SyntheticTrainingData(Generator, 0, 2000);
        Batch whole = Fill(Generator, 0, 2000);
        using IBatchCursor cursor = data.Open(DataPosition.Start, 100);
        int row = 0;
        while (cursor.MoveNext())
        {
            ulong[] tokens = cursor.Current.TokenSpan.ToArray();
            Thread.Sleep(2); // the batches ahead are made meanwhile
            Assert.Equal(tokens, cursor.Current.TokenSpan.ToArray());
            Assert.Equal(whole.Tokens.AsSpan(row * 26, cursor.Current.Count * 26).ToArray(), tokens);
            row += cursor.Current.Count;
            Assert.Equal(new DataPosition(0, row), cursor.Position);
        }
        Assert.Equal(2000, row);
        Assert.False(cursor.MoveNext());
    }

    [Fact]
    public void A_cursor_opened_at_a_saved_position_continues_with_the_same_rows()
    {
        var data = new SyntheticTrainingData(Generator, 0, 1000);
        using IBatchCursor first = data.Open(DataPosition.Start, 128);
        first.MoveNext(); first.MoveNext();
        DataPosition saved = first.Position;
        first.MoveNext();
        float[] expected = first.Current.LabelSpan.ToArray();
        ulong[] expectedTokens = first.Current.TokenSpan.ToArray();
        using IBatchCursor resumed = data.Open(saved, 128);
        Assert.True(resumed.MoveNext());
        Assert.Equal(expected, resumed.Current.LabelSpan.ToArray());
        Assert.Equal(expectedTokens, resumed.Current.TokenSpan.ToArray());
        Assert.Equal(new DataPosition(0, 384), resumed.Position);
    }

    [Fact]
    public void Written_TSV_reads_back_through_the_Criteo_reader_as_the_same_batches()
    {
        using var folder = new TempFolder();
        foreach (string name in new[] { "rows.tsv", "rows.tsv.gz" })
        {
            string path = folder.File(name);
            SyntheticTsvWriter.Write(Generator, 200, 3000, path, threads: 3);
            Batch expected = Fill(Generator, 200, 3000);
            using var reader = CriteoReader.Open(path, CriteoLayout.Labeled, new CriteoReaderOptions { BatchSize = 3000 });
            Assert.True(reader.MoveNext());
            AssertSameRows(expected, reader.Current);
            Assert.False(reader.MoveNext());
        }
        string text = File.ReadLines(folder.File("rows.tsv")).First();
        string[] fields = text.Split('\t');
        Assert.Equal(40, fields.Length);
        Assert.All(fields[14..], f => Assert.Matches("^[0-9a-f]{8}$", f));
    }

    [Fact]
    public void Token_frequencies_follow_Zipf_through_the_id_permutation()
    {
        var spec = Spec(scale: 0.01) with { ZipfExponent = 1.3 };
        var generator = new SyntheticGenerator(spec);
        const int Rows = 60_000, Column = 2; // C3: 101,312 tokens at this scale
        Batch batch = Fill(generator, 0, Rows);
        var counts = new Dictionary<ulong, int>();
        for (int r = 0; r < Rows; r++) counts[batch.Tokens[r * 26 + Column]] = counts.GetValueOrDefault(batch.Tokens[r * 26 + Column]) + 1;
        var zipf = new ZipfSampler(spec.Cardinalities[Column], 1.3);
        for (int rank = 0; rank < 4; rank++)
        {
            double observed = counts.GetValueOrDefault(generator.TokenId(Column, rank)) / (double)Rows;
            double expected = zipf.Probability(rank);
            Assert.InRange(observed, expected - 4 * Math.Sqrt(expected / Rows), expected + 4 * Math.Sqrt(expected / Rows));
        }
        // Distinct ranks get distinct ids (the permutation is a bijection).
        var ids = new HashSet<uint>();
        for (int rank = 0; rank < 200_000; rank++) Assert.True(ids.Add(generator.TokenId(Column, rank)));
    }

    [Fact]
    public void Teacher_AUC_matches_what_its_probabilities_promise_and_the_CTR_is_on_target()
    {
        const int Rows = 40_000;
        var batch = new Batch(Rows, 13, 26);
        var p = new float[Rows];
        Generator.Fill(batch, SyntheticTrainingData.EvaluationRowBase, Rows, p);
        EvaluationMetrics teacher = TeacherQuality.Measure(Generator, SyntheticTrainingData.EvaluationRowBase, Rows);

        Assert.InRange(teacher.ObservedCtr, 0.24, 0.26);
        Assert.InRange(teacher.Auc, 0.7, 0.95);
        // Independent reference: the AUC expected from the probabilities alone (row i is a positive with probability
        // p_i), computed by sorting; the realized AUC must agree within sampling noise.
        Assert.InRange(teacher.Auc, ExpectedAuc(p) - 0.01, ExpectedAuc(p) + 0.01);
        // Without signal the teacher gives every row the same probability (AUC exactly 0.5, all ties), still at the CTR.
        var blind = new SyntheticGenerator(Spec() with { TokenSignal = 0, InteractionSignal = 0, DenseSignal = 0 });
        EvaluationMetrics none = TeacherQuality.Measure(blind, 0, Rows);
        Assert.Equal(0.5, none.Auc, 9);
        Assert.InRange(none.ObservedCtr, 0.24, 0.26);
    }

    private static double ExpectedAuc(float[] p)
    {
        double[] sorted = p.Select(v => (double)v).Order().ToArray();
        double negativesBelow = 0, numerator = 0;
        int i = 0;
        while (i < sorted.Length)
        {
            int j = i;
            double tiePos = 0, tieNeg = 0;
            while (j < sorted.Length && sorted[j] == sorted[i]) { tiePos += sorted[j]; tieNeg += 1 - sorted[j]; j++; }
            numerator += tiePos * negativesBelow + 0.5 * (tiePos * tieNeg - sorted[i..j].Sum(v => v * (1 - v)));
            negativesBelow += tieNeg;
            i = j;
        }
        double pos = sorted.Sum(), neg = sorted.Length - pos;
        return numerator / (pos * neg - sorted.Sum(v => v * (1 - v)));
    }

    [Fact]
    public void Cardinality_tables_scale_and_keep_tiny_columns()
    {
        ImmutableArray<long> full = SyntheticSpec.CardinalityTable("kaggle");
        Assert.Equal(33_762_577, full.Sum());
        ImmutableArray<long> small = SyntheticSpec.CardinalityTable("kaggle", 0.001);
        Assert.Equal(10_131, small[2]);
        Assert.Equal(3, small[8]);
        Assert.Equal(39_884_406, SyntheticSpec.CardinalityTable("mlperf")[0]);
    }
}
