using ILGPU.Runtime;
using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Cuda.Kernels;
using RobeGen.Tests.Cuda.TestModels;
using RobeGen.Training;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// The device finiteness scan (on ILGPU's CPU accelerator) against the obvious one: the first NaN or infinity of each
/// tensor, by index, wherever the launch's strided threads meet it; and the CUDA backend's check through it against the
/// check that streams the state to the host.
/// </summary>
public sealed class NonFiniteScanTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    private readonly GpuDevice _device = fixture.Device;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void Each_tensors_first_non_finite_index_is_found_whatever_the_threads(int launchThreads)
    {
        var random = new Random(launchThreads);
        float[][] tensors =
        [
            Values(random, 50, []),
            Values(random, 301, [(240, float.NaN), (17, float.PositiveInfinity), (299, float.NegativeInfinity)]),
            Values(random, 0, []),
            Values(random, 9, [(8, float.NegativeInfinity)]),
            Values(random, 128, [(0, float.NaN), (127, float.NaN)]),
            [float.MaxValue, float.MinValue, float.Epsilon, -0f, BitConverter.Int32BitsToSingle(0x7F7FFFFF)],
        ];
        _device.Accelerator.Bind();
        var buffers = tensors.Select(t => _device.Accelerator.Allocate1D<float>(Math.Max(1, t.Length))).ToList();
        try
        {
            for (int k = 0; k < tensors.Length; k++) buffers[k].View.SubView(0, tensors[k].Length).CopyFromCPU(_device.Stream, (ReadOnlySpan<float>)tensors[k]);
            var views = buffers.Select((b, k) => (ILGPU.ArrayView<float>)b.View.SubView(0, tensors[k].Length)).ToList();
            long[] found = new NonFiniteScanKernel(_device.Accelerator).FirstNonFinite(_device.Stream, views, launchThreads);
            long[] expected = tensors.Select(t => Array.FindIndex(t, v => !float.IsFinite(v)) is var i and >= 0 ? i : NonFiniteScanKernel.NoneFound).ToArray();
            Assert.Equal(expected, found);
            Assert.Equal([NonFiniteScanKernel.NoneFound, 17, NonFiniteScanKernel.NoneFound, 8, 0, NonFiniteScanKernel.NoneFound], found);
        }
        finally
        {
            foreach (var buffer in buffers) buffer.Dispose();
        }
    }

    [Fact]
    [Trait("Tier", "Slow")] // the whole backend's kernels on ILGPU's CPU accelerator
    public void The_backends_device_check_finds_what_the_streamed_check_finds_in_every_tensor()
    {
        using CudaDlrmBackend backend = TinyModels.EveryTensorKind(_device, seed: 5);
        Assert.Null(ParameterHealth.FirstNonFinite(backend));
        ModelState clean = backend.ExportState();
        // A bad value in each tensor in turn (past its middle), with a second one further on that must not be reported.
        foreach (var (name, values) in clean.Tensors)
        {
            backend.ImportState(clean);
            ModelState broken = backend.ExportState();
            int at = values.Length / 2;
            broken.Chunked(name)[at] = float.NegativeInfinity;
            if (at + 1 < values.Length) broken.Chunked(name)[at + 1] = float.NaN;
            backend.ImportState(broken);
            NonFiniteValue? onDevice = ParameterHealth.FirstNonFinite(backend);
            Assert.Equal(new NonFiniteValue(name, at, float.NegativeInfinity), onDevice);
            Assert.Equal(ParameterHealth.FirstStreamedNonFinite(backend, pieceLength: 3), onDevice);
            var thrown = Assert.Throws<TrainingDivergedException>(() => ParameterHealth.ThrowIfNonFinite(backend, 12));
            Assert.Contains(name, thrown.Message);
        }
        backend.ImportState(clean);
        Assert.Null(ParameterHealth.FirstNonFinite(backend));
    }

    private static float[] Values(Random random, int length, (int At, float Value)[] bad)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2e6 - 1e6);
        foreach (var (at, value) in bad) values[at] = value;
        return values;
    }
}
