using System.Diagnostics;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Serving;
using RobeGen.Tests.Data;
using RobeGen.Tests.TestModels;
using RobeGen.Training;
using Xunit.Abstractions;

namespace RobeGen.Tests.Serving;

/// <summary>
/// The predictor shared by many threads gives exactly the sequential answers, and a model swap under load loses no
/// request and never mixes two models within one request.
/// </summary>
public sealed class PredictorConcurrencyTests(ITestOutputHelper output) : IDisposable
{
    private const int Threads = 8;
    private static readonly int PredictionsPerThread = Environment.GetEnvironmentVariable("ROBEGEN_SOAK") == "1" ? 100_000 : 10_000;
    /// <summary>A narrow model with two raw-id tables: the test models' reference embedding kernels cost ~10 us per table
    /// and row, and 90,000 single-row predictions must stay quick.</summary>
    private static readonly TestModel Definition = TestModel.Create(denseFeatures: 13, dim: 4, bottom: [8, 4], top: [8], slots: 2_000, blockSize: 2,
        tokens: TokenKind.RawId, name: "ServingSmall", tables: [new TestTable(0), new TestTable(0)]);
    private static readonly int Dense = Definition.Declaration.DenseFeatures, Tables = Definition.Declaration.TableCount;
    private static readonly ModelOptions Runtime = new() { MaxBatchSize = 16, Threads = 1 };
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A checkpoint of the test model after a few training steps with <paramref name="seed"/>.</summary>
    private string Checkpoint(int seed)
    {
        string path = _folder.File($"model{seed}.rgck");
        var options = Runtime with { Seed = seed, Optimizer = OptimizerKind.Adagrad };
        using IDlrmBackend model = Dlrm.Create(Definition, options);
        for (int step = 0; step < 5; step++) model.TrainStep(TestBatches.Random(Definition.Declaration, 16, seed: seed * 100 + step), 0.05f);
        ModelCheckpoint.Save(path, model, options, TrainingProgressState.Start with { Step = 5 });
        return path;
    }

    private static Batch[] SingleRows(int count, int seed)
    {
        Batch all = TestBatches.Random(Definition.Declaration, count, seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var row = new Batch(1, Dense, Tables) { Count = 1 };
            all.DenseSpan.Slice(i * Dense, Dense).CopyTo(row.Dense);
            all.TokenSpan.Slice(i * Tables, Tables).CopyTo(row.Tokens);
            return row;
        }).ToArray();
    }

    private static float[] Sequential(Predictor predictor, Batch[] rows)
    {
        var result = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++) predictor.Predict(rows[i], result.AsSpan(i, 1));
        return result;
    }

    /// <summary>CI runs 2 instances; ROBEGEN_SOAK=1 also runs 1, 4 and 8 and prints the throughput of each.</summary>
    public static TheoryData<int> InstanceCounts() => Environment.GetEnvironmentVariable("ROBEGEN_SOAK") == "1" ? new(1, 2, 4, 8) : new(2);

    [Theory]
    [MemberData(nameof(InstanceCounts))]
    public void Eight_threads_of_single_row_predictions_give_the_sequential_answers(int instances)
    {
        string checkpoint = Checkpoint(seed: 1);
        Batch[] rows = SingleRows(PredictionsPerThread, seed: 9);
        float[] expected;
        using (Predictor alone = Predictor.Load(checkpoint, Definition, Runtime)) expected = Sequential(alone, rows);
        Assert.Contains(expected, p => p is > 0f and < 1f);

        using Predictor shared = Predictor.Load(checkpoint, Definition, Runtime, instances);
        var clock = Stopwatch.StartNew();
        int mismatches = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            // Each thread its own order and its own batch objects (a batch is the caller's buffer).
            var order = Enumerable.Range(0, rows.Length).ToArray();
            new Random(thread).Shuffle(order);
            Batch mine = new(1, Dense, Tables) { Count = 1 };
            Span<float> probability = stackalloc float[1];
            foreach (int i in order)
            {
                rows[i].DenseSpan.CopyTo(mine.Dense);
                rows[i].TokenSpan.CopyTo(mine.Tokens);
                shared.Predict(mine, probability);
                if (BitConverter.SingleToInt32Bits(probability[0]) != BitConverter.SingleToInt32Bits(expected[i])) Interlocked.Increment(ref mismatches);
            }
        });
        Assert.Equal(0, mismatches);
        output.WriteLine($"{Threads} threads x {rows.Length:N0} single-row predictions, {instances} model instance(s): all bit-identical to sequential; " +
                         $"{Threads * rows.Length / clock.Elapsed.TotalSeconds:N0} predictions/s on {Environment.ProcessorCount} cores");
    }

    [Fact]
    public async Task A_swap_under_load_loses_no_request_and_never_mixes_two_models_in_one()
    {
        string a = Checkpoint(seed: 1), b = Checkpoint(seed: 2);
        const int RowsPerRequest = 8;
        Batch[] rows = SingleRows(64 * RowsPerRequest, seed: 3);
        float[] expectedA, expectedB;
        using (Predictor p = Predictor.Load(a, Definition, Runtime)) expectedA = Sequential(p, rows);
        using (Predictor p = Predictor.Load(b, Definition, Runtime)) expectedB = Sequential(p, rows);
        Assert.NotEqual(expectedA, expectedB);

        // Requests of 8 rows predicted one row at a time would mix models if a swap could land mid-request; a batch
        // of 8 is one call, the unit a swap must not split. Both are built from the same rows.
        Batch Request(int r)
        {
            var batch = new Batch(RowsPerRequest, Dense, Tables) { Count = RowsPerRequest };
            for (int i = 0; i < RowsPerRequest; i++)
            {
                rows[r * RowsPerRequest + i].DenseSpan.CopyTo(batch.Dense.AsSpan(i * Dense));
                rows[r * RowsPerRequest + i].TokenSpan.CopyTo(batch.Tokens.AsSpan(i * Tables));
            }
            return batch;
        }
        // Batched rows must match single rows bit for bit for this check to mean anything.
        using Predictor predictor = Predictor.Load(a, Definition, Runtime, instances: 3);
        var check = new float[RowsPerRequest];
        predictor.Predict(Request(0), check);
        Assert.Equal(expectedA[..RowsPerRequest], check);

        int swaps = Environment.GetEnvironmentVariable("ROBEGEN_SOAK") == "1" ? 2000 : 60;
        long requests = 0, onA = 0, onB = 0;
        using var stop = new CancellationTokenSource();
        Task[] clients = Enumerable.Range(0, 6).Select(c => Task.Run(() =>
        {
            var probabilities = new float[RowsPerRequest];
            for (int n = 0; !stop.IsCancellationRequested || n < 100; n++)
            {
                int r = (c * 7 + n) % 64;
                predictor.Predict(Request(r), probabilities);
                bool isA = probabilities.AsSpan().SequenceEqual(expectedA.AsSpan(r * RowsPerRequest, RowsPerRequest));
                bool isB = probabilities.AsSpan().SequenceEqual(expectedB.AsSpan(r * RowsPerRequest, RowsPerRequest));
                Assert.True(isA || isB, $"request {r} got an answer of neither model (mixed or wrong)");
                Interlocked.Increment(ref isA ? ref onA : ref onB);
                Interlocked.Increment(ref requests);
            }
        })).ToArray();
        for (int s = 0; s < swaps; s++)
        {
            // Under load: a few requests land between two swaps (and others straddle them).
            for (long seen = Interlocked.Read(ref requests); Interlocked.Read(ref requests) < seen + 3;) await Task.Yield();
            predictor.Swap(s % 2 == 0 ? b : a);
        }
        stop.Cancel();
        await Task.WhenAll(clients);
        Assert.Equal(swaps, predictor.Swaps);
        Assert.Equal(requests, onA + onB);
        Assert.True(onA > 0 && onB > 0, $"the swaps were not under load: {onA} on A, {onB} on B");
        output.WriteLine($"{swaps} swaps under 6 client threads: {requests:N0} requests of {RowsPerRequest} rows, each wholly on one model ({onA:N0} A, {onB:N0} B), none lost");

        // A damaged checkpoint is refused and the served model stays.
        string damaged = _folder.File("damaged.rgck");
        File.WriteAllBytes(damaged, File.ReadAllBytes(b)[..^1]);
        Assert.Throws<CheckpointException>(() => predictor.Swap(damaged));
        predictor.Predict(Request(0), check);
        Assert.Equal((swaps % 2 == 0 ? expectedA : expectedB)[..RowsPerRequest], check);
        predictor.Dispose();
        Assert.Throws<ObjectDisposedException>(() => predictor.Predict(Request(0), check));
    }
}
