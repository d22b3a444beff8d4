using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Devices;
using RobeGen.Tests.Data;
using RobeGen.Tests.TestModels;
using RobeGen.Tests.Training;
using RobeGen.Training;

namespace RobeGen.Tests.Checkpoints;

/// <summary>
/// The trainer's checkpoints of a backend that streams its state go through the stream only (its whole export throws
/// here), and the streamed writer refuses pieces that do not match the shapes its header was counted from.
/// </summary>
public sealed class StreamedCheckpointPathTests
{
    private const int BatchRows = 8;
    private static readonly ModelOptions Options = new() { Seed = 3, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = BatchRows, Threads = 1 };

    [Fact]
    public void The_trainer_checkpoints_a_streamed_backend_without_exporting_it_whole()
    {
        using var temp = new TempFolder();
        string path = temp.File("run.rgck");
        TestModel definition = TestModel.Tiny();
        using var model = new StreamedOnlyBackend(Dlrm.Create(definition, Options));
        var saved = new List<long>();
        var trainer = new Trainer(model, new TrainingOptions { BatchSize = BatchRows, CheckpointEverySteps = 2, ParameterCheckEverySteps = 1 },
            saveCheckpoint: s =>
            {
                Assert.Null(s.State); // nothing exported
                ModelCheckpoint.Save(path, model, Options, s);
                saved.Add(s.Progress.Step);
            });
        trainer.Train(new InMemoryTrainingData(Enumerable.Range(0, 5).Select(i => TestBatches.Random(definition.Declaration, BatchRows, seed: i)).ToList()));

        Assert.Equal([2L, 4, 5], saved);
        Checkpoint written = CheckpointFile.Load(path);
        Assert.Equal(5, written.Step);
        ModelState expected = model.Inner.ExportState();
        Assert.Equal(expected.ChunkedTensors.Select(t => t.Key), written.State.ChunkedTensors.Select(t => t.Key));
        foreach ((string name, ChunkedFloats values) in expected.ChunkedTensors) Assert.True(values.BitEquals(written.State.Chunked(name)), name);
    }

    [Fact]
    public void A_checkpoint_loads_into_a_streamed_backend_without_importing_it_whole()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        TestModel definition = TestModel.Tiny();
        ModelState expected;
        using (IDlrmBackend trained = Dlrm.Create(definition, Options))
        {
            trained.TrainStep(TestBatches.Random(definition.Declaration, BatchRows, seed: 1), 0.1f);
            ModelCheckpoint.Save(path, trained, Options, TrainingProgressState.Start with { Step = 1 });
            expected = trained.ExportState();
        }

        LoadedModel loaded = ModelCheckpoint.Load(path, definition, Options, (d, o) => new StreamedOnlyBackend(Dlrm.Create(d, o)), pieceLength: 5);
        using IDlrmBackend model = loaded.Model;
        Assert.Empty(loaded.Checkpoint.State.ChunkedTensors);
        ModelState actual = ((StreamedOnlyBackend)model).Inner.ExportState();
        foreach ((string name, ChunkedFloats values) in expected.ChunkedTensors) Assert.True(values.BitEquals(actual.Chunked(name)), name);
        // A resume verifies the newest checkpoint without reading it whole first.
        LoadedModel resumed = new CheckpointSeries(path).LoadNewest(p => ModelCheckpoint.Load(p, definition, Options,
            (d, o) => new StreamedOnlyBackend(Dlrm.Create(d, o))), out _);
        using IDlrmBackend resumedModel = resumed.Model;
        Assert.Equal(1, resumed.Progress.Step);
    }

    [Theory]
    [InlineData("a", 3, "gave 3 of the 4 elements of 'a'")]
    [InlineData("a", 5, "elements [4, 5) of 'a' where elements from 0 of 'b'")]
    [InlineData("b", 4, "elements [0, 1) of 'b' where elements from 0 of 'a'")]
    public void Pieces_that_do_not_match_the_shapes_stop_the_save_and_leave_the_old_checkpoint(string name, int values, string problem)
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        var good = new ModelState();
        good.Add("a", new float[4]);
        good.Add("b", new float[2]);
        CheckpointFile.Save(path, Checkpoint.For(TestModel.Tiny().Declaration, good));
        byte[] before = File.ReadAllBytes(path);

        var wrong = new Misreported([new TensorShape("a", 4), new TensorShape("b", 2)], name, values);
        var e = Assert.Throws<InvalidOperationException>(() => CheckpointFile.Save(path, Checkpoint.For(TestModel.Tiny().Declaration, good), wrong, pieceLength: 1));
        Assert.Contains(problem, e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.rgck"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    /// <summary>Claims <paramref name="shapes"/> but reads <paramref name="values"/> floats of tensor <paramref name="name"/>, one per piece.</summary>
    private sealed class Misreported(IReadOnlyList<TensorShape> shapes, string name, int values) : IStreamedState
    {
        public IReadOnlyList<TensorShape> StateShape => shapes;

        public void ReadState(StateChunkVisitor visit, int pieceLength)
        {
            for (int i = 0; i < values; i++)
                if (!visit(name, i, [0f])) return;
        }

        public void WriteState(StatePieceFiller fill, int pieceLength) => throw new NotSupportedException();
    }
}
