using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

public sealed class TrainingTests
{
    private static readonly TestModel Model = TestModel.Create(denseFeatures: 4, dim: 4, bottom: [16, 4], top: [16],
        tables: [new(10), new(10), new(50)], slots: 96, blockSize: 2, name: "Learnable");

    /// <summary>Labels that the model can learn: a dense direction plus a per-token effect of table 0.</summary>
    private static Batch LearnableBatch(int rows, int seed)
    {
        var random = new Random(seed);
        var batch = new Batch(rows, 4, 3) { Count = rows };
        for (int b = 0; b < rows; b++)
        {
            for (int i = 0; i < 4; i++) batch.Dense[b * 4 + i] = (float)(random.NextDouble() * 2 - 1);
            for (int t = 0; t < 3; t++) batch.Tokens[b * 3 + t] = (ulong)random.Next((int)Model.Declaration.Tables[t].Cardinality);
            double signal = 3 * (batch.Dense[b * 4] - batch.Dense[b * 4 + 1]) + (batch.Tokens[b * 3] < 5 ? 2 : -2);
            batch.Labels[b] = signal > 0 ? 1 : 0;
        }
        return batch;
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.5f)]
    [InlineData(OptimizerKind.Adagrad, 0.05f)]
    public void Loss_goes_down_on_a_learnable_problem(OptimizerKind optimizer, float lr)
    {
        using IDlrmBackend backend = Dlrm.Create(Model, new ModelOptions { MaxBatchSize = 64, Optimizer = optimizer });
        var losses = new List<float>();
        for (int step = 0; step < 300; step++) losses.Add(backend.TrainStep(LearnableBatch(64, step), lr));
        double first = losses.Take(20).Average(), last = losses.TakeLast(20).Average();
        Assert.True(last < 0.4 * first, $"loss went from {first:F3} to {last:F3}");

        // And it generalizes to rows it never saw.
        Batch test = LearnableBatch(64, seed: 10_000);
        var p = new float[64];
        backend.Predict(test, p);
        int correct = Enumerable.Range(0, 64).Count(b => (p[b] > 0.5f) == (test.Labels[b] == 1));
        Assert.True(correct >= 56, $"{correct}/64 correct");
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adagrad)]
    public void Same_seed_and_data_give_identical_bits_whatever_the_thread_count(OptimizerKind optimizer)
    {
        ModelState Train(int seed, int threads)
        {
            using var backend = new CpuDlrmBackend(TestModel.KaggleSmall, new ModelOptions
            {
                Seed = seed,
                Threads = threads,
                MaxBatchSize = 300,
                Optimizer = optimizer,
            });
            for (int step = 0; step < 4; step++) backend.TrainStep(TestBatches.Random(TestModel.KaggleSmall.Declaration, 300, step), 0.1f);
            return backend.ExportState();
        }
        // 300 rows: row blocks of 128 + 128 + 44 with one or two threads, 104 + 104 + 92 with three.
        ModelState a = Train(1, 2), b = Train(1, 2), c = Train(1, 1), d = Train(1, 3), other = Train(2, 2);
        foreach (var (name, values) in a.Tensors)
        {
            Assert.Equal(values, b[name]);
            Assert.Equal(values, c[name]);
            Assert.Equal(values, d[name]);
            Assert.NotEqual(values, other[name]);
        }
    }

    [Fact]
    public void Export_then_import_restores_the_model_exactly()
    {
        using var source = new CpuDlrmBackend(Model, new ModelOptions { Seed = 4, MaxBatchSize = 64, Optimizer = OptimizerKind.Adagrad });
        for (int step = 0; step < 3; step++) source.TrainStep(LearnableBatch(64, step), 0.1f);
        using var copy = new CpuDlrmBackend(Model, new ModelOptions { Seed = 99, MaxBatchSize = 64, Optimizer = OptimizerKind.Adagrad });
        copy.ImportState(source.ExportState());

        Batch next = LearnableBatch(64, 50);
        Assert.Equal(source.TrainStep(next, 0.1f), copy.TrainStep(next, 0.1f));
        ModelState a = source.ExportState(), b = copy.ExportState();
        foreach (var (name, values) in a.Tensors) Assert.Equal(values, b[name]);
        Assert.Equal(RobeGen.Initialization.ModelTensors.All(source.Layout, OptimizerKind.Adagrad).Select(t => t.Name), a.Tensors.Select(t => t.Key));
    }

    [Fact]
    public void Import_rejects_a_state_of_another_shape_and_keeps_the_model()
    {
        using var backend = new CpuDlrmBackend(Model, new ModelOptions { MaxBatchSize = 8 });
        ModelState before = backend.ExportState();
        var wrong = new ModelState();
        foreach (var (name, values) in before.Tensors) wrong.Add(name, name == "embedding" ? new float[values.Length + 1] : values);
        Assert.Throws<ArgumentException>(() => backend.ImportState(wrong));
        Assert.Equal(before["embedding"], backend.ExportState()["embedding"]);
    }

    [Fact]
    public void Rejects_batches_larger_than_the_buffers_or_of_another_shape()
    {
        using var backend = new CpuDlrmBackend(Model, new ModelOptions { MaxBatchSize = 8 });
        Assert.Throws<ArgumentException>(() => backend.TrainStep(LearnableBatch(9, 1), 0.1f));
        Assert.Throws<ArgumentException>(() => backend.TrainStep(new Batch(4, 5, 3) { Count = 4 }, 0.1f));
    }
}
