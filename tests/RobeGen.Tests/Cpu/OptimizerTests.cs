using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Data;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

/// <summary>SGD and Adagrad steps against the formulas of docs/model-math.md, computed by hand from the gradients.</summary>
public sealed class OptimizerTests
{
    [Theory]
    [InlineData(RobeVariant.Authors, EmbeddingStorage.Robe)]
    [InlineData(RobeVariant.Circular, EmbeddingStorage.Robe)]
    [InlineData(RobeVariant.Authors, EmbeddingStorage.Hashed)]
    public void Sgd_subtracts_lr_times_gradient_and_leaves_unread_slots(RobeVariant variant, EmbeddingStorage storage)
    {
        TestModel model = TestModel.Tiny(variant, storage, slots: 23, blockSize: 3);
        using var backend = new CpuDlrmBackend(model, new ModelOptions { Seed = 2, MaxBatchSize = 8 });
        Batch batch = TestBatches.Random(model.Declaration, rows: 3, seed: 4);
        const float lr = 0.3f;

        ModelState before = backend.ExportState();
        backend.ComputeGradients(batch);
        Dictionary<string, float[]> grads = Gradients(backend, before);
        backend.ApplyUpdate(batch.Count, lr);
        ModelState after = backend.ExportState();

        foreach (var (name, w0) in before.Tensors)
            for (int i = 0; i < w0.Length; i++)
                Assert.Equal(w0[i] - lr * grads[name][i], after[name][i], 1e-7f);

        HashSet<long> read = ReadSlots(model, backend.Layout, batch);
        Assert.True(read.Count < EmbeddingLength(before), "some slots must stay unread for the test to mean something");
        for (int s = 0; s < before["embedding"].Length; s++)
            if (!read.Contains(s)) Assert.Equal(before["embedding"][s], after["embedding"][s]);
        Assert.All(backend.EmbeddingGrad.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Adagrad_accumulates_squares_and_updates_embedding_slots_sparsely()
    {
        TestModel model = TestModel.Tiny(slots: 30, blockSize: 2);
        using var backend = new CpuDlrmBackend(model, new ModelOptions { Seed = 3, MaxBatchSize = 8, Optimizer = OptimizerKind.Adagrad });
        const float lr = 0.05f;
        var expected = backend.ExportState();

        for (int step = 0; step < 2; step++)
        {
            Batch batch = TestBatches.Random(model.Declaration, rows: 2, seed: 10 + step);
            backend.ComputeGradients(batch);
            Dictionary<string, float[]> grads = Gradients(backend, expected);
            HashSet<long> read = ReadSlots(model, backend.Layout, batch);
            backend.ApplyUpdate(batch.Count, lr);

            foreach (var (name, g) in grads)
            {
                float[] w = expected[name], sum = expected["adagrad." + name];
                for (int i = 0; i < g.Length; i++)
                {
                    if (name == "embedding" && !read.Contains(i)) continue; // sparse: untouched, G included
                    sum[i] += g[i] * g[i];
                    w[i] -= lr * g[i] / (MathF.Sqrt(sum[i]) + 1e-10f);
                }
            }
            ModelState actual = backend.ExportState();
            foreach (var (name, values) in expected.Tensors)
                for (int i = 0; i < values.Length; i++)
                    Assert.Equal(values[i], actual[name][i], 1e-6f);
            Assert.Contains(actual["adagrad.embedding"], v => v == 0f); // unread slots kept a zero accumulator
        }
    }

    [Theory]
    [InlineData(RobeVariant.Circular, OptimizerKind.Sgd)]
    [InlineData(RobeVariant.Authors, OptimizerKind.Adagrad)]
    public void Sparse_update_split_into_slot_ranges_equals_one_pass(RobeVariant variant, OptimizerKind optimizer)
    {
        // Ranges cut through blocks (and, for Circular, blocks wrap): each slot must still be updated exactly once.
        TestModel model = TestModel.Tiny(variant, EmbeddingStorage.Full, slots: 29, blockSize: 3);
        var layout = EmbeddingLayout.FromDeclaration(model.Declaration);
        Batch batch = TestBatches.Random(model.Declaration, rows: 6, seed: 8);
        int length = (int)layout.TotalParameters;
        var starts = new long[6 * layout.TableCount * layout.MaxBlocks];
        model.Embedding.Gather(layout, new float[length], batch.TokenSpan, 6, starts, new float[6 * layout.TableCount * layout.Dim]);
        var random = new Random(2);
        float[] weights = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();
        float[] grad = new float[length];
        model.Embedding.ScatterGradient(layout, new float[length], batch.TokenSpan, starts, 6,
            Enumerable.Range(0, 6 * layout.TableCount * layout.Dim).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(), grad);
        float[] sums = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();

        float[] w1 = (float[])weights.Clone(), g1 = (float[])grad.Clone(), s1 = (float[])sums.Clone();
        RobeGen.Cpu.Optimizers.SparseEmbeddingOptimizer.Update(layout, starts, 6, optimizer, w1, g1, s1, 0.1f, 0, length);
        float[] w2 = (float[])weights.Clone(), g2 = (float[])grad.Clone(), s2 = (float[])sums.Clone();
        long[] cuts = [0, 7, 13, 28, 30, 45, length];
        for (int i = 0; i + 1 < cuts.Length; i++)
            RobeGen.Cpu.Optimizers.SparseEmbeddingOptimizer.Update(layout, starts, 6, optimizer, w2, g2, s2, 0.1f, cuts[i], cuts[i + 1]);

        Assert.Equal(w1, w2);
        Assert.Equal(s1, s2);
        Assert.All(g2, g => Assert.Equal(0f, g));
        Assert.NotEqual(weights, w1);
    }

    private static int EmbeddingLength(ModelState state) => state["embedding"].Length;

    private static Dictionary<string, float[]> Gradients(CpuDlrmBackend backend, ModelState names) =>
        names.Tensors.Where(t => !t.Key.StartsWith("adagrad.", StringComparison.Ordinal))
            .ToDictionary(t => t.Key, t => t.Key == "embedding" ? backend.EmbeddingGrad.ToArray() : backend.DenseGrad(t.Key).ToArray());

    private static HashSet<long> ReadSlots(TestModel model, EmbeddingLayout layout, Batch batch)
    {
        var read = new HashSet<long>();
        for (int b = 0; b < batch.Count; b++)
            for (int t = 0; t < layout.TableCount; t++)
                for (int j = 0; j < layout.Dim; j++)
                    read.Add(model.Embedding.SlotOf(layout, t, batch.Tokens[b * layout.TableCount + t], j).Slot);
        return read;
    }
}
