using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Models;
using RobeGen.Tests.Data;
using RobeGen.Training;

namespace RobeGen.Tests.Training;

/// <summary>An interrupted run, resumed from its checkpoint, ends bit-identical to one that never stopped (CPU).</summary>
public sealed class ResumeTests
{
    [SharedDataFact]
    public void A_run_resumed_from_a_mid_epoch_checkpoint_ends_bit_identical_to_an_uninterrupted_run()
    {
        using var folder = new TempFolder();
        var data = new CriteoTrainingData([SharedData.PathOf(SharedData.Day0Head)]) { End = new DataPosition(0, 3000) };
        var options = new ModelOptions { Seed = 5, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = 64 };
        var training = new TrainingOptions { Epochs = 2, BatchSize = 64, LearningRate = LearningRateSchedule.Constant(0.02f) };

        ModelState uninterrupted;
        using (IDlrmBackend model = Dlrm.Create(CriteoKaggle.Definition, options))
        {
            new Trainer(model, training).Train(data);
            uninterrupted = model.ExportState();
        }

        // Stop in the middle of the second epoch (47 steps per epoch), save, then continue from the file alone.
        string path = Path.Combine(folder.Path, "run.rgck");
        using (IDlrmBackend model = Dlrm.Create(CriteoKaggle.Definition, options))
        {
            var first = new Trainer(model, training with { MaxSteps = 70 }, saveCheckpoint: s => ModelCheckpoint.Save(path, model, options, s));
            TrainingSummary stopped = first.Train(data);
            Assert.Equal(70, stopped.Final.Step);
            Assert.Equal(1, stopped.Final.Epoch);
        }
        LoadedModel resumed = ModelCheckpoint.Load(path, CriteoKaggle.Definition, new ModelOptions { MaxBatchSize = 64 });
        using (resumed.Model)
        {
            Assert.Equal(70, resumed.Progress.Step);
            TrainingSummary finished = new Trainer(resumed.Model, training).Train(data, resumeFrom: resumed.Progress);
            Assert.Equal(94, finished.Final.Step);
            ModelState state = resumed.Model.ExportState();
            Assert.Equal(uninterrupted.Tensors.Select(t => t.Key), state.Tensors.Select(t => t.Key));
            foreach ((string name, float[] expected) in uninterrupted.Tensors)
                Assert.True(expected.AsSpan().SequenceEqual(state[name]), $"tensor {name} differs after resuming");
        }
    }

    [Fact]
    public void A_run_reading_gzip_files_at_once_resumes_bit_identical_from_its_interleaved_position()
    {
        using var folder = new TempFolder();
        string[] files = CriteoTestFiles.Write(folder, [900, 400, 700], ["a.gz", "b.gz", "c.gz"]);
        var data = new CriteoTrainingData(files, CriteoLayout.Labeled, new CriteoReaderOptions { InterleaveFiles = 2 });
        var options = new ModelOptions { Seed = 3, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = 64 };
        var training = new TrainingOptions { Epochs = 2, BatchSize = 64, LearningRate = LearningRateSchedule.Constant(0.02f) };

        ModelState uninterrupted;
        TrainingSummary whole;
        using (IDlrmBackend model = Dlrm.Create(CriteoKaggle.Definition, options))
        {
            whole = new Trainer(model, training).Train(data);
            uninterrupted = model.ExportState();
        }

        string path = Path.Combine(folder.Path, "run.rgck");
        long stopAt = whole.Final.Step / 2 + 7; // inside the second epoch, lanes mid-file
        using (IDlrmBackend model = Dlrm.Create(CriteoKaggle.Definition, options))
            new Trainer(model, training with { MaxSteps = stopAt }, saveCheckpoint: s => ModelCheckpoint.Save(path, model, options, s)).Train(data);
        LoadedModel resumed = ModelCheckpoint.Load(path, CriteoKaggle.Definition, new ModelOptions { MaxBatchSize = 64 });
        using (resumed.Model)
        {
            Assert.NotNull(resumed.Progress.Position.Interleaved);
            // The resumed run's options read in order: the saved lanes decide how the rest of the epoch is read.
            var inOrder = new CriteoTrainingData(files, CriteoLayout.Labeled, new CriteoReaderOptions { InterleaveFiles = 1 });
            TrainingSummary finished = new Trainer(resumed.Model, training).Train(inOrder, resumeFrom: resumed.Progress);
            Assert.Equal(whole.Final.Step, finished.Final.Step);
            ModelState state = resumed.Model.ExportState();
            foreach ((string name, float[] expected) in uninterrupted.Tensors)
                Assert.True(expected.AsSpan().SequenceEqual(state[name]), $"tensor {name} differs after resuming");
        }
    }

    [Fact]
    public void A_checkpoint_of_another_declaration_is_refused_with_both_fingerprints()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "kaggle.rgck");
        var options = new ModelOptions { MaxBatchSize = 8 };
        using (IDlrmBackend model = Dlrm.Create(CriteoKaggle.Definition, options))
            ModelCheckpoint.Save(path, model, options, TrainingProgressState.Start);

        var error = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(path, CriteoTerabyte.Definition));
        Assert.Contains(CriteoKaggle.Fingerprint, error.Message);
        Assert.Contains(CriteoTerabyte.Fingerprint, error.Message);
    }
}
