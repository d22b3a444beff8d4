using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Cuda;
using RobeGen.Tests.Cuda;
using RobeGen.Tests.Cuda.TestModels;
using RobeGen.Tests.Data;
using RobeGen.Training;

namespace RobeGen.Tests.Checkpoints;

/// <summary>
/// A CUDA model's checkpoint is written from the device piece by piece (on ILGPU's CPU accelerator here): the same bytes
/// as the whole save of its exported state, whatever the piece length, and a non-finite model replaces nothing.
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public sealed class StreamedSaveTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    private static readonly ModelDeclaration Declaration = TinyModels.Declaration();

    private CudaDlrmBackend Create(ModelOptions options, int seed) =>
        new(TinyModels.Definition(Declaration), options,
            TestStates.RandomState(Declaration, EmbeddingLayout.FromDeclaration(Declaration), options.Optimizer, seed), fixture.Device);

    [Theory]
    [InlineData(OptimizerKind.Sgd, 1)]
    [InlineData(OptimizerKind.Adagrad, 3)] // pieces cross the whole save's chunks of 5 and end mid-tensor
    [InlineData(OptimizerKind.Adagrad, 16)]
    [InlineData(OptimizerKind.Adagrad, IStreamedState.DefaultPieceLength)]
    public void A_streamed_save_is_byte_identical_to_the_whole_save_of_the_same_state(OptimizerKind optimizer, int pieceLength)
    {
        using var temp = new TempFolder();
        using CudaDlrmBackend backend = Create(new ModelOptions { MaxBatchSize = 4, Optimizer = optimizer }, seed: 5);
        backend.ExportChunkLength = 5;
        ModelState exported = backend.ExportState();
        Assert.True(exported.Chunked("embedding").Chunks.Count > 1);
        Checkpoint header = Checkpoint.For(Declaration, exported);
        CheckpointFile.Save(temp.File("whole.rgck"), header);
        CheckpointFile.Save(temp.File("streamed.rgck"), header, backend, pieceLength);
        Assert.Equal(File.ReadAllBytes(temp.File("whole.rgck")), File.ReadAllBytes(temp.File("streamed.rgck")));
    }

    [Theory]
    [InlineData("embedding", float.NaN)]
    [InlineData("adagrad.embedding", float.PositiveInfinity)]
    public void A_non_finite_device_state_refuses_the_save_and_leaves_the_old_checkpoint_and_no_temporary_file(string tensor, float poison)
    {
        using var temp = new TempFolder();
        string path = temp.File("model.rgck");
        var options = new ModelOptions { MaxBatchSize = 4, Optimizer = OptimizerKind.Adagrad };
        using CudaDlrmBackend backend = Create(options, seed: 6);
        ModelCheckpoint.Save(path, backend, options, TrainingProgressState.Start with { Step = 1 });
        byte[] good = File.ReadAllBytes(path);

        ModelState state = backend.ExportState();
        state[tensor][30] = poison;
        backend.ImportState(state);
        var e = Assert.Throws<TrainingDivergedException>(() => ModelCheckpoint.Save(path, backend, options, TrainingProgressState.Start with { Step = 2 }));
        Assert.Equal(tensor, e.Tensor);
        Assert.Contains("element 30", e.Message);
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal(["model.rgck"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }
}
