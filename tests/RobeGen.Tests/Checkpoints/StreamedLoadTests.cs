using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Cuda;
using RobeGen.Data;
using RobeGen.Tests.Cuda;
using RobeGen.Tests.Cuda.TestModels;
using RobeGen.Tests.Data;
using RobeGen.Training;

namespace RobeGen.Tests.Checkpoints;

/// <summary>
/// A checkpoint loads into a CUDA model piece by piece from the file (on ILGPU's CPU accelerator here): bit for bit the
/// saved state, training on exactly as the saved model does; a non-finite, damaged or ill-fitting file is refused with
/// today's messages and the half-loaded model disposed.
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public sealed class StreamedLoadTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    private static readonly ModelDeclaration Declaration = TinyModels.Declaration();
    private static readonly ModelOptions Options = new() { MaxBatchSize = 6, Optimizer = OptimizerKind.Adagrad, DeterministicGradients = true, Seed = 8 };
    private readonly List<CudaDlrmBackend> _created = [];

    private CudaDlrmBackend Create(IDlrmDefinition definition, ModelOptions options)
    {
        CudaDlrmBackend backend = CudaDlrmBackend.CreateInitialized(definition, options, fixture.Device);
        _created.Add(backend);
        return backend;
    }

    private LoadedModel Load(string path, int pieceLength) =>
        ModelCheckpoint.Load(path, TinyModels.Definition(Declaration), Options, Create, pieceLength);

    /// <summary>A model trained a few steps and saved (streamed) to <paramref name="path"/>.</summary>
    private CudaDlrmBackend Saved(string path)
    {
        CudaDlrmBackend model = Create(TinyModels.Definition(Declaration), Options);
        for (int step = 0; step < 3; step++) model.TrainStep(TestStates.RandomBatch(Declaration, 6, seed: step), 0.1f);
        ModelCheckpoint.Save(path, model, Options, TrainingProgressState.Start with { Step = 3 });
        return model;
    }

    private static void AssertBitEqual(ModelState expected, ModelState actual)
    {
        Assert.Equal(expected.ChunkedTensors.Select(t => t.Key), actual.ChunkedTensors.Select(t => t.Key));
        foreach ((string name, ChunkedFloats values) in expected.ChunkedTensors) Assert.True(values.BitEquals(actual.Chunked(name)), name);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)] // pieces end mid-tensor and cross from one tensor to the next buffer fill
    [InlineData(IStreamedState.DefaultPieceLength)]
    public void A_streamed_load_reproduces_the_state_bit_exactly_and_trains_on_identically(int pieceLength)
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        using CudaDlrmBackend saved = Saved(path);
        LoadedModel loaded = Load(path, pieceLength);
        using IDlrmBackend model = loaded.Model;
        Assert.Empty(loaded.Checkpoint.State.ChunkedTensors); // no host copy
        Assert.Equal(3, loaded.Progress.Step);
        AssertBitEqual(saved.ExportState(), model.ExportState());

        for (int step = 3; step < 6; step++)
        {
            Batch batch = TestStates.RandomBatch(Declaration, 6, seed: step);
            Assert.Equal(saved.TrainStep(batch, 0.1f), model.TrainStep(batch, 0.1f));
        }
        AssertBitEqual(saved.ExportState(), model.ExportState());
    }

    [Fact]
    public void A_non_finite_tensor_in_the_file_is_refused_naming_it_and_the_model_is_disposed()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        Saved(path).Dispose();
        Checkpoint whole = CheckpointFile.Load(path);
        whole.State["embedding"][30] = float.NaN;
        CheckpointFile.Save(path, whole);
        _created.Clear();

        var e = Assert.Throws<CheckpointException>(() => Load(path, pieceLength: 4));
        Assert.Equal("tensor 'embedding' holds NaN at element 30: the model had diverged when it was saved.", e.Problem);
        Assert.Throws<ObjectDisposedException>(() => _created.Single().ExportState());
    }

    [Fact]
    public void A_truncated_or_corrupt_file_is_refused_with_todays_messages_before_a_model_is_built()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        Saved(path).Dispose();
        _created.Clear();
        byte[] good = File.ReadAllBytes(path);

        File.WriteAllBytes(path, good[..^100]);
        Assert.StartsWith("truncated: the header records", Assert.Throws<CheckpointException>(() => Load(path, 4)).Problem);
        byte[] flipped = (byte[])good.Clone();
        flipped[^200] ^= 4;
        File.WriteAllBytes(path, flipped);
        Assert.StartsWith("corrupt: the XXH64 checksum is", Assert.Throws<CheckpointException>(() => Load(path, 4)).Problem);
        Assert.Empty(_created);
    }

    [Fact]
    public void A_file_of_another_optimizer_is_refused_naming_the_tensor_and_the_model_is_disposed()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        Saved(path).Dispose();
        Checkpoint whole = CheckpointFile.Load(path);
        var withoutAccumulators = new ModelState();
        foreach ((string name, ChunkedFloats values) in whole.State.ChunkedTensors)
            if (!name.StartsWith("adagrad.", StringComparison.Ordinal)) withoutAccumulators.Add(name, values);
        CheckpointFile.Save(path, whole.WithState(withoutAccumulators));
        _created.Clear();

        var e = Assert.Throws<CheckpointException>(() => Load(path, 4));
        Assert.StartsWith("its tensors do not fit the model: The model state has no tensor 'adagrad.", e.Problem);
        Assert.Throws<ObjectDisposedException>(() => _created.Single().ExportState());
    }
}
