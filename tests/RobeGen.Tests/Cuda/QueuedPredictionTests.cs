using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Data;
using RobeGen.Lab.Equivalence;
using RobeGen.Tests.Cuda.TestModels;

namespace RobeGen.Tests.Cuda;

/// <summary>Queued (pipelined) predictions and the 32-bit token upload, on ILGPU's CPU accelerator.</summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public class QueuedPredictionTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    private readonly GpuDevice _device = fixture.Device;

    private CudaDlrmBackend Create(ModelDeclaration declaration, int maxBatch = 8) =>
        new(TinyModels.Definition(declaration), new ModelOptions { MaxBatchSize = maxBatch },
            TestStates.RandomState(declaration, EmbeddingLayout.FromDeclaration(declaration), OptimizerKind.Sgd, 3), _device);

    [Fact]
    public void The_pipeline_gives_each_batch_its_own_predictions_and_labels_in_order_when_the_producer_reuses_one_batch()
    {
        var declaration = TinyModels.Declaration();
        using var backend = Create(declaration);
        var batches = Enumerable.Range(0, 5).Select(i => TestStates.RandomBatch(declaration, 8 - i, 20 + i)).ToArray();
        var expected = batches.Select(b => { var p = new float[b.Count]; backend.Predict(b, p); return p; }).ToArray();

        // One Batch object refilled for every batch, as a cursor does.
        var shared = new Batch(8, declaration.DenseFeatures, declaration.TableCount);
        IEnumerable<Batch> Refilled()
        {
            foreach (var source in batches)
            {
                shared.Count = source.Count;
                source.Labels.AsSpan(0, source.Count).CopyTo(shared.Labels);
                source.DenseSpan.CopyTo(shared.Dense);
                source.TokenSpan.CopyTo(shared.Tokens);
                yield return shared;
            }
        }
        var seen = new List<int>();
        PredictionPipeline.Run(backend, Refilled(), (index, probabilities, labels) =>
        {
            seen.Add(index);
            Assert.Equal(expected[index], probabilities.ToArray());
            Assert.Equal(batches[index].LabelSpan.ToArray(), labels.ToArray());
        });
        Assert.Equal([0, 1, 2, 3, 4], seen);
        Assert.Equal(0, backend.QueuedPredictions);
    }

    [Fact]
    public void Queueing_past_the_limit_or_reading_an_empty_queue_says_what_to_do()
    {
        var declaration = TinyModels.Declaration();
        using var backend = Create(declaration);
        var batch = TestStates.RandomBatch(declaration, 4, 1);
        Assert.Contains("No prediction is queued", Assert.Throws<InvalidOperationException>(() => backend.ReadPrediction(new float[8])).Message);
        backend.EnqueuePredict(batch);
        backend.EnqueuePredict(batch);
        Assert.Contains("read one before", Assert.Throws<InvalidOperationException>(() => backend.EnqueuePredict(batch)).Message);
        Assert.Contains("Read the queued predictions", Assert.Throws<InvalidOperationException>(() => backend.Predict(batch, new float[8])).Message);
        Assert.Equal(4, backend.ReadPrediction(new float[8]));
        Assert.Equal(4, backend.ReadPrediction(new float[8]));
    }

    [Fact]
    public void Tokens_past_32_bits_take_the_64_bit_upload_with_the_same_hash()
    {
        var declaration = TinyModels.Declaration();
        using var backend = Create(declaration);
        var narrow = TestStates.RandomBatch(declaration, 6, 9);
        var wide = TestStates.RandomBatch(declaration, 6, 9);
        // Table 0 of row 0 gets a 64-bit token; the CPU loops hash the same tokens.
        wide.Tokens[0] = narrow.Tokens[0] + (1UL << 40);
        var fromWide = new float[6];
        backend.Predict(wide, fromWide);
        var reference = ReferenceDlrmProbabilities(declaration, backend.Layout, TinyModels.Definition(declaration).Embedding, backend.ExportState(), wide);
        for (int i = 0; i < 6; i++) Assert.Equal(reference[i], fromWide[i], 1e-5);
        Assert.True(TokenStaging.TryNarrow(narrow.TokenSpan, new uint[narrow.TokenSpan.Length]));
        Assert.False(TokenStaging.TryNarrow(wide.TokenSpan, new uint[wide.TokenSpan.Length]));
    }

    private static double[] ReferenceDlrmProbabilities(ModelDeclaration declaration, EmbeddingLayout layout, IEmbeddingKernels embedding, ModelState state, Batch batch)
    {
        var trace = new ReferenceDlrm(layout, embedding, state).TraceStep(batch);
        return trace[$"top.{declaration.TopMlp.Length} output"].Select(l => 1 / (1 + Math.Exp(-l))).ToArray();
    }
}
