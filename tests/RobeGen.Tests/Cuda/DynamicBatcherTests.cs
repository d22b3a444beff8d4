using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Data;
using RobeGen.Initialization;
using RobeGen.Serving;
using RobeGen.Tests.Cuda.TestModels;

namespace RobeGen.Tests.Cuda;

/// <summary>Dynamic batching of concurrent callers on the CUDA backend (ILGPU's CPU accelerator).</summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public class DynamicBatcherTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    [Fact]
    public void Concurrent_callers_get_their_own_rows_predictions_and_share_device_batches()
    {
        var declaration = TinyModels.Declaration();
        using var backend = new CudaDlrmBackend(TinyModels.Definition(declaration), new ModelOptions { MaxBatchSize = 16 },
            TestStates.RandomState(declaration, EmbeddingLayout.FromDeclaration(declaration), OptimizerKind.Sgd, 3), fixture.Device);
        var requests = Enumerable.Range(0, 40).Select(i => TestStates.RandomBatch(declaration, 1 + i % 5, 300 + i)).ToArray();
        var expected = requests.Select(b => { var p = new float[b.Count]; backend.Predict(b, p); return p; }).ToArray();

        // A window long enough that 8 concurrent callers meet in it on a loaded 2-core machine (5 ms was not: with the
        // simulator's kernels on both cores, every request could go out alone).
        using var batcher = new DynamicBatcher(backend, maxRows: 16, maxDelay: TimeSpan.FromMilliseconds(200));
        float[][] actual = PredictConcurrently(batcher, requests, callers: 8);
        for (int i = 0; i < requests.Length; i++) Assert.Equal(expected[i], actual[i]);
        Assert.Equal(requests.Sum(r => r.Count), batcher.RowsSent);
        Assert.True(batcher.BatchesSent < requests.Length, $"{batcher.BatchesSent} device batches for {requests.Length} requests: nothing was shared.");
    }

    [Fact]
    public void A_multi_hot_models_requests_are_batched_as_bags()
    {
        IDlrmDefinition definition = RobeGen.Tests.Models.MultiHotAuthors.Definition;
        var declaration = definition.Declaration;
        using var backend = new CudaDlrmBackend(definition, new ModelOptions { MaxBatchSize = 16 },
            ModelInitializer.Create(EmbeddingLayout.FromDeclaration(declaration), OptimizerKind.Sgd, 3), fixture.Device);
        var requests = Enumerable.Range(0, 24).Select(i => RobeGen.Tests.TestModels.TestBatches.RandomBags(declaration, 1 + i % 4, 400 + i)).ToArray();
        var expected = requests.Select(b => { var p = new float[b.Count]; backend.Predict(b, p); return p; }).ToArray();

        using var batcher = new DynamicBatcher(backend, maxRows: 16, maxDelay: TimeSpan.FromMilliseconds(200));
        float[][] actual = PredictConcurrently(batcher, requests, callers: 6);
        for (int i = 0; i < requests.Length; i++) Assert.Equal(expected[i], actual[i]);
        Assert.True(batcher.BatchesSent < requests.Length, $"{batcher.BatchesSent} device batches for {requests.Length} requests: nothing was shared.");
        // A request of tokens for this model is refused in the caller's thread.
        Assert.Throws<ArgumentException>(() => batcher.Predict(new Batch(2, declaration.DenseFeatures, declaration.TableCount) { Count = 1 }, new float[1]));
    }

    /// <summary>
    /// Request i's predictions, asked by <paramref name="callers"/> threads of their own at once (the thread pool of a
    /// 2-core machine starts with two workers, too few to meet in the batcher's window under load).
    /// </summary>
    private static float[][] PredictConcurrently(DynamicBatcher batcher, Batch[] requests, int callers)
    {
        var actual = new float[requests.Length][];
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, callers).Select(k => new Thread(() =>
        {
            try
            {
                for (int i = k; i < requests.Length; i += callers)
                {
                    var p = new float[requests[i].Count];
                    batcher.Predict(requests[i], p);
                    actual[i] = p;
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        Assert.Empty(failures);
        return actual;
    }

    [Fact]
    public void A_request_larger_than_a_device_batch_is_refused()
    {
        var declaration = TinyModels.Declaration();
        using var backend = new CudaDlrmBackend(TinyModels.Definition(declaration), new ModelOptions { MaxBatchSize = 4 },
            TestStates.RandomState(declaration, EmbeddingLayout.FromDeclaration(declaration), OptimizerKind.Sgd, 3), fixture.Device);
        using var batcher = new DynamicBatcher(backend, maxRows: 4, maxDelay: TimeSpan.Zero);
        var error = Assert.Throws<ArgumentException>(() => batcher.Predict(new Batch(8, declaration.DenseFeatures, declaration.TableCount) { Count = 6 }, new float[6]));
        Assert.Contains("at most 4", error.Message);
    }
}
