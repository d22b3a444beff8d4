using ILGPU.Runtime;
using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Cuda.Kernels;
using RobeGen.Initialization;
using RobeGen.Tests.Cuda.TestModels;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// The embedding drawn in place by the ILGPU kernel (on ILGPU's CPU accelerator) equals the CPU initializer's, element
/// for element; the CUDA backend built that way exports the CPU's initial state, in chunks.
/// </summary>
public sealed class DeviceEmbeddingInitTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    private readonly GpuDevice _device = fixture.Device;

    [Theory]
    [InlineData(QuotientRemainderInit.Reference)]
    [InlineData(QuotientRemainderInit.ScaleMatched)]
    public void The_kernel_draws_the_cpu_initializers_values_bit_for_bit(QuotientRemainderInit qrInit)
    {
        TestModel model = TestModel.Create(denseFeatures: 3, dim: 4, bottom: [5, 4], top: [6], slots: 301, blockSize: 2,
            tables: [new(400), new(30, EmbeddingStorage.Full), new(50, EmbeddingStorage.Hashed, 7), new(20, EmbeddingStorage.QuotientRemainder, 5)]);
        var layout = EmbeddingLayout.FromDeclaration(model.Declaration, new EmbeddingOverrides { QuotientRemainderInit = qrInit });
        float[] expected = ModelInitializer.Create(layout, OptimizerKind.Sgd, seed: 17)["embedding"];

        _device.Accelerator.Bind();
        using MemoryBuffer1D<float, ILGPU.Stride1D.Dense> buffer = _device.Accelerator.Allocate1D<float>(layout.TotalParameters);
        // 13 threads per launch: every thread walks its region in strides, as a region longer than one launch does on a GPU.
        new EmbeddingInitKernel(_device.Accelerator).Run(_device.Stream, buffer.View, layout, seed: 17, launchThreads: 13);
        _device.Synchronize();
        float[] drawn = buffer.GetAsArray1D();
        Assert.Equal(expected.Select(BitConverter.SingleToUInt32Bits), drawn.Select(BitConverter.SingleToUInt32Bits));
    }

    [Theory]
    [Trait("Tier", "Slow")] // the whole backend's kernels on ILGPU's CPU accelerator
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adagrad)]
    public void A_backend_initialized_on_the_device_exports_the_cpu_initial_state_in_chunks(OptimizerKind optimizer)
    {
        ModelDeclaration declaration = TinyModels.Declaration(storage: [EmbeddingStorage.Robe, EmbeddingStorage.Full, EmbeddingStorage.Hashed]);
        var options = new ModelOptions { MaxBatchSize = 4, Optimizer = optimizer, Seed = 23 };
        var layout = EmbeddingLayout.FromDeclaration(declaration, options.Embedding);
        ModelState expected = ModelInitializer.Create(layout, optimizer, 23);

        using CudaDlrmBackend backend = CudaDlrmBackend.CreateInitialized(TinyModels.Definition(declaration), options, _device);
        backend.ExportChunkLength = 7;
        ModelState exported = backend.ExportState();
        Assert.True(exported.Chunked("embedding").Chunks.Count > 2);
        Assert.Equal(expected.ChunkedTensors.Select(t => t.Key), exported.ChunkedTensors.Select(t => t.Key));
        foreach (var (name, values) in expected.ChunkedTensors) Assert.True(values.BitEquals(exported.Chunked(name)), name);

        // And a chunked state imports across the chunk boundaries.
        ModelState changed = ModelInitializer.Create(layout, optimizer, 24, chunkLength: 5);
        backend.ImportState(changed);
        ModelState back = backend.ExportState();
        foreach (var (name, values) in changed.ChunkedTensors) Assert.True(values.BitEquals(back.Chunked(name)), name);
    }

    [Fact]
    [Trait("Tier", "Slow")] // the whole backend's kernels on ILGPU's CPU accelerator
    public void The_state_streams_piece_by_piece_and_the_health_check_finds_a_value_past_a_piece_boundary()
    {
        using CudaDlrmBackend backend = TinyModels.EveryTensorKind(_device, seed: 3);
        ModelState exported = backend.ExportState();
        var streamed = new Dictionary<string, List<float>>();
        ((IStreamedState)backend).ReadState((name, start, values) =>
        {
            List<float> seen = streamed.TryGetValue(name, out var list) ? list : streamed[name] = [];
            Assert.Equal(seen.Count, start);
            seen.AddRange(values.ToArray());
            return true;
        }, pieceLength: 5);
        Assert.Equal(exported.ChunkedTensors.Select(t => t.Key), streamed.Keys);
        foreach (var (name, values) in exported.Tensors) Assert.Equal(values, streamed[name]);

        Assert.Null(RobeGen.Training.ParameterHealth.FirstStreamedNonFinite(backend, pieceLength: 5));
        exported.Chunked("embedding")[12] = float.NaN;
        exported.Chunked("adagrad.embedding")[3] = float.PositiveInfinity;
        backend.ImportState(exported);
        var bad = RobeGen.Training.ParameterHealth.FirstStreamedNonFinite(backend, pieceLength: 5);
        Assert.NotNull(bad);
        Assert.Equal(("embedding", 12L), (bad.Value.Tensor, bad.Value.Index));
    }
}
