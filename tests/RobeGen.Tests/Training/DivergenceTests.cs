using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Tests.Data;
using RobeGen.Tests.TestModels;
using RobeGen.Training;

namespace RobeGen.Tests.Training;

/// <summary>
/// A NaN or infinity in the loss or in any tensor stops training with the step and the tensor named, and the last
/// good checkpoint stays as it was; checkpoints come every N steps or every M minutes, whichever first.
/// </summary>
public sealed class DivergenceTests
{
    private const int BatchRows = 8;
    private static readonly ModelOptions Options = new() { Seed = 2, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = BatchRows, Threads = 1 };

    private static InMemoryTrainingData Data(TestModel model, int batches) =>
        new(Enumerable.Range(0, batches).Select(i => TestBatches.Random(model.Declaration, BatchRows, seed: 100 + i)).ToList());

    /// <summary>Runs the real model, and after step <paramref name="poisonAfterStep"/> writes <paramref name="poison"/> into one element of a tensor.</summary>
    private sealed class Poisoned(IDlrmBackend inner, long poisonAfterStep, string tensor, float poison, Action? afterEachStep = null) : IDlrmBackend
    {
        private long _steps;
        public string DeviceName => inner.DeviceName;
        public ModelDeclaration Declaration => inner.Declaration;
        public EmbeddingLayout Layout => inner.Layout;

        public float TrainStep(Batch batch, float learningRate)
        {
            float loss = inner.TrainStep(batch, learningRate);
            afterEachStep?.Invoke();
            if (++_steps == poisonAfterStep)
            {
                ModelState state = inner.ExportState();
                state[tensor][state[tensor].Length / 2] = poison;
                inner.ImportState(state);
            }
            return loss;
        }

        public void Predict(Batch batch, Span<float> probabilities) => inner.Predict(batch, probabilities);
        public ModelState ExportState() => inner.ExportState();
        public void ImportState(ModelState state) => inner.ImportState(state);
        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void A_nan_in_the_loss_stops_at_that_step_and_the_last_good_checkpoint_is_kept()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.rgck");
        TestModel definition = TestModel.Tiny();
        using var model = new Poisoned(Dlrm.Create(definition, Options), poisonAfterStep: 5, "bottom.0.weight", float.NaN);
        var trainer = new Trainer(model, new TrainingOptions { BatchSize = BatchRows, CheckpointEverySteps = 2, ParameterCheckEverySteps = 0 },
            saveCheckpoint: s => ModelCheckpoint.Save(path, model, Options, s));

        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train(Data(definition, 10)));
        // The NaN written after step 5 reaches the loss of step 6 (no check ran in between: checkpoints at 2 and 4 only).
        Assert.Equal(6, e.Step);
        Assert.Contains("step 6", e.Message);
        Assert.Contains("loss is NaN", e.Message);
        Assert.Equal(4, CheckpointFile.Load(path).Step);
        Assert.Null(ParameterHealth.FirstNonFinite(CheckpointFile.Load(path).State));
    }

    [Theory]
    [InlineData("adagrad.embedding", float.PositiveInfinity)]
    [InlineData("top.1.bias", float.NaN)]
    [InlineData("embedding", float.NegativeInfinity)]
    public void A_non_finite_tensor_found_before_a_checkpoint_names_step_and_tensor_and_writes_nothing(string tensor, float poison)
    {
        using var folder = new TempFolder();
        string path = folder.File("run.rgck");
        TestModel definition = TestModel.Tiny();
        using var model = new Poisoned(Dlrm.Create(definition, Options), poisonAfterStep: 4, tensor, poison);
        var saved = new List<long>();
        var trainer = new Trainer(model, new TrainingOptions { BatchSize = BatchRows, CheckpointEverySteps = 2, ParameterCheckEverySteps = 0 },
            saveCheckpoint: s => { ModelCheckpoint.Save(path, model, Options, s); saved.Add(s.Progress.Step); });
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train(Data(definition, 10)));
        Assert.Equal(4, e.Step);
        Assert.Equal(tensor, e.Tensor);
        Assert.Contains($"'{tensor}'", e.Message);
        Assert.Contains("by step 4", e.Message);
        Assert.Equal([2L], saved);
        Assert.Equal(2, CheckpointFile.Load(path).Step);
    }

    [Fact]
    public void Parameters_are_scanned_every_n_steps_between_checkpoints()
    {
        TestModel definition = TestModel.Tiny();
        // Poisoning the Adagrad state of the embedding leaves the loss finite (a larger accumulator only shrinks steps),
        // so only the parameter scan can see it.
        using var model = new Poisoned(Dlrm.Create(definition, Options), poisonAfterStep: 7, "adagrad.embedding", float.PositiveInfinity);
        var unchecked_ = new Trainer(model, new TrainingOptions { BatchSize = BatchRows, ParameterCheckEverySteps = 0 });
        Assert.Equal(10, unchecked_.Train(Data(definition, 10)).Final.Step);

        using var again = new Poisoned(Dlrm.Create(definition, Options), poisonAfterStep: 7, "adagrad.embedding", float.PositiveInfinity);
        var e = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(again, new TrainingOptions { BatchSize = BatchRows, ParameterCheckEverySteps = 3 }).Train(Data(definition, 10)));
        Assert.Equal(9, e.Step); // scans after steps 3, 6, 9
        Assert.Equal("adagrad.embedding", e.Tensor);
    }

    [Fact]
    public void Saving_a_diverged_model_directly_is_refused_and_the_old_file_is_untouched()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.rgck");
        using IDlrmBackend model = Dlrm.Create(TestModel.Tiny(), Options);
        ModelCheckpoint.Save(path, model, Options, TrainingProgressState.Start with { Step = 1 });
        byte[] good = File.ReadAllBytes(path);
        ModelState state = model.ExportState();
        state["bottom.1.weight"][3] = float.NaN;
        model.ImportState(state);
        var e = Assert.Throws<TrainingDivergedException>(() => ModelCheckpoint.Save(path, model, Options, TrainingProgressState.Start with { Step = 2 }));
        Assert.Equal("bottom.1.weight", e.Tensor);
        Assert.Equal(good, File.ReadAllBytes(path));
    }

    [Fact]
    public void The_scan_finds_the_first_non_finite_value_in_any_lane()
    {
        for (int length = 0; length < 70; length++)
        {
            var values = Enumerable.Range(0, length).Select(i => i * 0.5f - 3).ToArray();
            Assert.Equal(-1, ParameterHealth.FirstNonFinite(values));
            for (int at = 0; at < length; at++)
                foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                {
                    float[] copy = (float[])values.Clone();
                    copy[at] = bad;
                    if (at + 1 < length) copy[length - 1] = float.NaN;
                    Assert.Equal(at, ParameterHealth.FirstNonFinite(copy));
                }
        }
        Assert.Equal(-1, ParameterHealth.FirstNonFinite([float.MaxValue, float.MinValue, float.Epsilon, -0f]));
    }

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
    }

    [Fact]
    public void Checkpoints_come_every_m_minutes_or_every_n_steps_whichever_first()
    {
        TestModel definition = TestModel.Tiny();
        var clock = new ManualClock();
        // Each step takes 25 simulated seconds: a 1-minute cadence saves after steps 3, 6, 9, ... (75 s since the last).
        using var model = new Poisoned(Dlrm.Create(definition, Options), poisonAfterStep: -1, "embedding", 0,
            afterEachStep: () => clock.Ticks += TimeSpan.FromSeconds(25).Ticks);
        var saved = new List<long>();
        new Trainer(model, new TrainingOptions { BatchSize = BatchRows, CheckpointEveryMinutes = 1 }, saveCheckpoint: s => saved.Add(s.Progress.Step), time: clock)
            .Train(Data(definition, 10));
        Assert.Equal([3L, 6, 9, 10], saved);

        saved.Clear();
        clock.Ticks = 0;
        using var both = new Poisoned(Dlrm.Create(definition, Options), poisonAfterStep: -1, "embedding", 0,
            afterEachStep: () => clock.Ticks += TimeSpan.FromSeconds(25).Ticks);
        new Trainer(both, new TrainingOptions { BatchSize = BatchRows, CheckpointEveryMinutes = 1, CheckpointEverySteps = 4 },
            saveCheckpoint: s => saved.Add(s.Progress.Step), time: clock).Train(Data(definition, 10));
        Assert.Equal([3L, 4, 7, 8, 10], saved); // the step cadence resets the clock too
    }

    /// <summary>Finite weights whose logits overflow: after step <paramref name="breakAfterStep"/> every prediction is NaN, the state stays finite.</summary>
    private sealed class Overflowing(IDlrmBackend inner, long breakAfterStep) : IDlrmBackend
    {
        private long _steps;
        public string DeviceName => inner.DeviceName;
        public ModelDeclaration Declaration => inner.Declaration;
        public EmbeddingLayout Layout => inner.Layout;
        public float TrainStep(Batch batch, float learningRate) { _steps++; return inner.TrainStep(batch, learningRate); }

        public void Predict(Batch batch, Span<float> probabilities)
        {
            inner.Predict(batch, probabilities);
            if (_steps >= breakAfterStep) probabilities[..batch.Count].Fill(float.NaN);
        }

        public ModelState ExportState() => inner.ExportState();
        public void ImportState(ModelState state) => inner.ImportState(state);
        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void A_model_with_finite_weights_that_cannot_predict_never_replaces_the_last_good_checkpoint()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.rgck");
        TestModel definition = TestModel.Tiny();
        using var model = new Overflowing(Dlrm.Create(definition, Options), breakAfterStep: 5);
        var trainer = new Trainer(model, new TrainingOptions { BatchSize = BatchRows, CheckpointEverySteps = 2, ParameterCheckEverySteps = 0 },
            saveCheckpoint: s => ModelCheckpoint.Save(path, model, Options, s));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train(Data(definition, 10)));
        Assert.Equal(6, e.Step);
        Assert.Contains("not a probability", e.Message);
        Assert.Equal(4, CheckpointFile.Load(path).Step);
    }

    [Fact]
    public void Loading_a_checkpoint_with_non_finite_weights_is_refused_naming_the_tensor()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.rgck");
        TestModel definition = TestModel.Tiny();
        using (IDlrmBackend model = Dlrm.Create(definition, Options))
            ModelCheckpoint.Save(path, model, Options, TrainingProgressState.Start with { Step = 1 });
        // A forged file: the checksum is recomputed over the NaN, so only the load-time scan can refuse it.
        Checkpoint c = CheckpointFile.Load(path);
        c.State["top.0.weight"][1] = float.NaN;
        CheckpointFile.Save(path, c);
        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(path, definition, Options));
        Assert.Contains("'top.0.weight'", e.Message);
        Assert.Contains("NaN", e.Message);
    }
}
