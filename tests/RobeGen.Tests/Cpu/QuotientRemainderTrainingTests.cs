using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Cpu;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Initialization;
using RobeGen.Tests.Data;
using RobeGen.Tests.TestModels;
using RobeGen.Training;

namespace RobeGen.Tests.Cpu;

/// <summary>QuotientRemainder tables in CPU training: the sparse optimizers update both rows of every pair, the
/// initialization follows the reference's U(sqrt(1/n), 1), and a checkpoint keeps the run-time Q and R.</summary>
public sealed class QuotientRemainderTrainingTests
{
    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adagrad)]
    public void A_step_updates_every_row_read_like_the_dense_rule_and_nothing_else(OptimizerKind optimizer)
    {
        TestModel model = TestModel.Tiny(storage: EmbeddingStorage.QuotientRemainder, slots: 13);
        using var backend = new CpuDlrmBackend(model, new ModelOptions { Seed = 6, MaxBatchSize = 8, Threads = 2, Optimizer = optimizer });
        Batch batch = TestBatches.Random(model.Declaration, rows: 6, seed: 4);
        ModelState before = backend.ExportState();
        backend.ComputeGradients(batch);
        float[] g = backend.EmbeddingGrad.ToArray();
        backend.ApplyUpdate(6, 0.1f);

        // The dense rule on every slot: a slot with g = 0 keeps w (and G); a row the sparse walk missed would keep its
        // old weight and a non-zero gradient, and fail here.
        float[] w = before["embedding"];
        float[]? sum = optimizer == OptimizerKind.Adagrad ? before["adagrad.embedding"] : null;
        ModelState after = backend.ExportState();
        for (int i = 0; i < w.Length; i++)
        {
            float expected = w[i];
            if (sum is null) expected -= 0.1f * g[i];
            else if (g[i] != 0) expected -= 0.1f * g[i] / (MathF.Sqrt(sum[i] + g[i] * g[i]) + 1e-10f);
            Assert.Equal(expected, after["embedding"][i], 1e-6f);
        }
        Assert.All(backend.EmbeddingGrad.ToArray(), v => Assert.Equal(0f, v));
        EmbeddingLayout layout = backend.Layout;
        long remainderRows = layout.TableBase[2] + layout.QuotientRows[2] * layout.Dim;
        Assert.Contains(Enumerable.Range((int)remainderRows, (int)(layout.Rows[2] * layout.Dim)), i => g[i] != 0);
        Assert.Contains(Enumerable.Range((int)layout.TableBase[2], (int)(layout.QuotientRows[2] * layout.Dim)), i => g[i] != 0);
    }

    [Fact]
    public void Both_tables_start_uniform_between_sqrt_one_over_n_and_one()
    {
        TestModel model = TestModel.Tiny(storage: EmbeddingStorage.QuotientRemainder, slots: 13);
        EmbeddingLayout layout = EmbeddingLayout.FromDeclaration(model.Declaration);
        float[] embedding = ModelInitializer.Create(layout, OptimizerKind.Sgd, seed: 2)["embedding"];
        foreach (int t in new[] { 0, 2 })
        {
            double low = Math.Sqrt(1.0 / (layout.QuotientRows[t] * layout.Rows[t]));
            float[] values = embedding.AsSpan((int)layout.TableBase[t], (int)((layout.QuotientRows[t] + layout.Rows[t]) * layout.Dim)).ToArray();
            Assert.All(values, v => Assert.InRange(v, (float)low, 1f));
            Assert.True(values.Distinct().Count() > values.Length / 2, "the draws should differ");
        }
    }

    [Fact]
    public void The_scale_matched_start_keeps_every_product_within_a_Full_rows_bound()
    {
        TestModel model = TestModel.Tiny(storage: EmbeddingStorage.QuotientRemainder, slots: 13);
        EmbeddingLayout layout = EmbeddingLayout.FromDeclaration(model.Declaration,
            new EmbeddingOverrides { QuotientRemainderInit = QuotientRemainderInit.ScaleMatched });
        float[] embedding = ModelInitializer.Create(layout, OptimizerKind.Sgd, seed: 2)["embedding"];
        foreach (int t in new[] { 0, 2 })
        {
            double ids = layout.QuotientRows[t] * layout.Rows[t], c = Math.Pow(ids, -0.25);
            float[] values = embedding.AsSpan((int)layout.TableBase[t], (int)((layout.QuotientRows[t] + layout.Rows[t]) * layout.Dim)).ToArray();
            Assert.All(values, v => Assert.InRange(v, (float)-c, (float)c));
            Assert.Contains(values, v => v < 0);
            Assert.Contains(values, v => v > 0);
            // Any quotient row times any remainder row stays within sqrt(1 / n).
            Assert.True(values.Max(Math.Abs) * values.Max(Math.Abs) <= Math.Sqrt(1 / ids) + 1e-7);
        }
    }

    [Fact]
    public void A_checkpoint_keeps_the_run_time_quotient_and_remainder_rows()
    {
        TestModel model = TestModel.Tiny(storage: EmbeddingStorage.QuotientRemainder, slots: 13);
        // Q differs from the default ceil(n / R) (4 and 2), so only a stored Q rebuilds this layout.
        var options = new ModelOptions
        {
            Seed = 8,
            MaxBatchSize = 8,
            Threads = 1,
            Optimizer = OptimizerKind.Adagrad,
            Embedding = new EmbeddingOverrides { Rows = [2, 0, 5], QuotientRows = [5, 0, 3] },
        };
        using var temp = new TempFolder();
        string path = temp.File("qr.rgck");
        Batch batch = TestBatches.Random(model.Declaration, rows: 8, seed: 1);
        var expected = new float[8];
        using (IDlrmBackend trained = Dlrm.Create(model, options))
        {
            for (int step = 0; step < 3; step++) trained.TrainStep(TestBatches.Random(model.Declaration, 8, seed: 10 + step), 0.05f);
            trained.Predict(batch, expected);
            ModelCheckpoint.Save(path, trained, options, new TrainingProgressState(3, 0, new DataPosition(0, 24), 24));
        }

        using IDlrmBackend loaded = ModelCheckpoint.Load(path, model, new ModelOptions { MaxBatchSize = 8, Threads = 1 }).Model;
        Assert.Equal([5L, 0, 3], loaded.Layout.QuotientRows.ToArray());
        Assert.Equal([2L, 0, 5], loaded.Layout.Rows.ToArray());
        var actual = new float[8];
        loaded.Predict(batch, actual);
        Assert.Equal(expected, actual);
    }
}
