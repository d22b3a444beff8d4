using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Tests.Data;
using RobeGen.Tests.TestModels;
using RobeGen.Training;

namespace RobeGen.Tests.Training;

/// <summary>
/// A checkpoint copies the model's state out once and scans it once: on CUDA every export is a device-to-host copy
/// of all tensors, the largest cost of a checkpoint after the disk.
/// </summary>
public sealed class CheckpointCostTests
{
    private const int BatchRows = 8;
    private static readonly ModelOptions Options = new() { Seed = 4, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = BatchRows, Threads = 1 };

    /// <summary>The real model, counting its exports.</summary>
    private sealed class CountingExports(IDlrmBackend inner) : IDlrmBackend
    {
        public int Exports { get; private set; }
        public string DeviceName => inner.DeviceName;
        public ModelDeclaration Declaration => inner.Declaration;
        public EmbeddingLayout Layout => inner.Layout;
        public float TrainStep(Batch batch, float learningRate) => inner.TrainStep(batch, learningRate);
        public void Predict(Batch batch, Span<float> probabilities) => inner.Predict(batch, probabilities);
        public void ImportState(ModelState state) => inner.ImportState(state);
        public void Dispose() => inner.Dispose();

        public ModelState ExportState()
        {
            Exports++;
            return inner.ExportState();
        }
    }

    [Fact]
    public void Each_checkpoint_of_a_run_exports_the_state_once_and_writes_that_state()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.rgck");
        TestModel definition = TestModel.Tiny();
        using var model = new CountingExports(Dlrm.Create(definition, Options));
        var data = new InMemoryTrainingData(Enumerable.Range(0, 6).Select(i => TestBatches.Random(definition.Declaration, BatchRows, seed: 40 + i)).ToList());
        var trainer = new Trainer(model, new TrainingOptions { BatchSize = BatchRows, CheckpointEverySteps = 2, ParameterCheckEverySteps = 0 },
            saveCheckpoint: s => ModelCheckpoint.Save(path, model, Options, s));

        trainer.Train(data);

        Assert.Equal(3, model.Exports); // after steps 2, 4 and 6
        ModelState written = CheckpointFile.Load(path).State, final = model.ExportState();
        Assert.Equal(final.Tensors.Select(t => t.Key), written.Tensors.Select(t => t.Key));
        foreach (var (name, values) in final.Tensors) Assert.Equal(values, written[name]);
    }

    [Fact]
    public void Saving_outside_a_run_exports_the_state_once()
    {
        using var folder = new TempFolder();
        using var model = new CountingExports(Dlrm.Create(TestModel.Tiny(), Options));
        ModelCheckpoint.Save(folder.File("one.rgck"), model, Options, TrainingProgressState.Start);
        Assert.Equal(1, model.Exports);
    }
}
