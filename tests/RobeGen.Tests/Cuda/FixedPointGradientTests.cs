using ILGPU;
using ILGPU.Runtime;
using RobeGen.Cuda;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// The deterministic gradient of ROBE models in fixed point (on ILGPU's CPU accelerator): the three kernels against a
/// slow host computation of the documented arithmetic, bit for bit; the same bits whatever the order of the coordinates;
/// NaN where a batch holds a non-finite dL/dE; the accumulators left at zero for the next batch.
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public sealed class FixedPointGradientTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    private const int Dim = 8, BlockSize = 4, Slots = 29;
    private readonly GpuDevice _device = fixture.Device;

    /// <summary>Records of <see cref="Dim"/> coordinates, each block starting anywhere in [0, Slots - Z], some starts shared
    /// by many records (a hot id), with gradients of very different sizes.</summary>
    private static (long[] Starts, float[] Gradients) Batch(int records, int seed)
    {
        var random = new Random(seed);
        int blocks = Dim / BlockSize;
        var starts = new long[records * blocks];
        for (int i = 0; i < starts.Length; i++) starts[i] = random.Next(3) == 0 ? 5 : random.Next(Slots - BlockSize + 1);
        var gradients = new float[records * Dim];
        for (int i = 0; i < gradients.Length; i++) gradients[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, -random.Next(8)));
        return (starts, gradients);
    }

    /// <summary>The slot coordinate t reads: its record's block start plus its offset in the block.</summary>
    private static long SlotRead(long[] starts, int t) => starts[t / Dim * (Dim / BlockSize) + t % Dim / BlockSize] + t % BlockSize;

    /// <summary>What the kernels compute, written out: each term rounded at the batch's scale, summed as integers per slot.</summary>
    private static float[] Expected(long[] starts, float[] gradients)
    {
        int count = gradients.Length;
        int largest = gradients.Max(g => BitConverter.SingleToInt32Bits(Math.Abs(g)));
        double scale = Math.ScaleB(1.0, 61 - DeterministicGradientKernels.HeadroomBits(count) - Math.Max((largest >> 23) - 127, -126));
        var sums = new long[Slots];
        for (int t = 0; t < count; t++) sums[SlotRead(starts, t)] += (long)Math.Round(gradients[t] * scale);
        return [.. sums.Select(s => s == 0 ? 0f : (float)(s / scale))];
    }

    private float[] Run(long[] starts, float[] gradients, out long[] accumulatorsAfter) => Run(starts, gradients, out accumulatorsAfter, out _);

    private float[] Run(long[] starts, float[] gradients, out long[] accumulatorsAfter, out int largestBits)
    {
        var accelerator = _device.Accelerator;
        var max = accelerator.LoadStreamKernel<ArrayView<float>, int, ArrayView<int>>(DeterministicGradientKernels.MaxMagnitude);
        var scatter = accelerator.LoadAutoGroupedStreamKernel<Index1D, EmbeddingCoordinateArgs, GpuTableViews, int, ArrayView<long>, ArrayView<float>, ArrayView<float>, int,
            ArrayView<int>, ArrayView<long>>(DeterministicGradientKernels.FixedPointScatter);
        var collect = accelerator.LoadAutoGroupedStreamKernel<Index1D, EmbeddingCoordinateArgs, GpuTableViews, int, ArrayView<long>, ArrayView<int>, ArrayView<long>,
            ArrayView<float>>(DeterministicGradientKernels.FixedPointCollect);
        // One ROBE table: the slot is the recorded block start plus the offset in the block (SlotOf reads only the storage).
        using var storage = accelerator.Allocate1D([(int)EmbeddingStorage.Robe]);
        using var zeros = accelerator.Allocate1D<long>(1);
        using var offsets = accelerator.Allocate1D<ulong>(1);
        var tables = new GpuTableViews(storage.View, zeros.View, zeros.View, zeros.View, offsets.View);
        using var startBuffer = accelerator.Allocate1D(starts);
        using var gradientBuffer = accelerator.Allocate1D(gradients);
        using var maxBits = accelerator.Allocate1D<int>(1);
        using var accumulators = accelerator.Allocate1D<long>(Slots);
        using var result = accelerator.Allocate1D<float>(Slots);
        maxBits.MemSetToZero();
        accumulators.MemSetToZero();
        result.MemSetToZero();
        int count = gradients.Length, headroom = DeterministicGradientKernels.HeadroomBits(count);
        var args = new EmbeddingCoordinateArgs { Records = count / Dim, Dim = Dim, BlockSize = BlockSize, MaxBlocks = Dim / BlockSize, Tables = 1, Batch = count / Dim };
        // 3 groups of 4 threads: each thread takes every 12th term, so every group reduces a share and adds its atomic.
        max(new KernelConfig(3, 4), gradientBuffer.View, count, maxBits.View);
        scatter(count, args, tables, headroom, startBuffer.View, gradientBuffer.View, gradientBuffer.View, 0, maxBits.View, accumulators.View);
        collect(count, args, tables, headroom, startBuffer.View, maxBits.View, accumulators.View, result.View);
        accelerator.Synchronize();
        accumulatorsAfter = accumulators.GetAsArray1D();
        largestBits = maxBits.GetAsArray1D()[0];
        return result.GetAsArray1D();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(40, 2)]
    [InlineData(300, 3)]
    public void The_sums_are_the_fixed_point_arithmetic_bit_for_bit_and_close_to_float_sums(int records, int seed)
    {
        var (starts, gradients) = Batch(records, seed);
        float[] actual = Run(starts, gradients, out long[] after, out int largestBits);
        Assert.Equal(gradients.Max(MathF.Abs), BitConverter.Int32BitsToSingle(largestBits));
        Assert.Equal(Expected(starts, gradients), actual);
        Assert.All(after, a => Assert.Equal(0L, a));

        // Against plain double sums: the terms are rounded at 2^-(61 - headroom) of the largest |dL/dE|, far below float's own step.
        var exact = new double[Slots];
        for (int t = 0; t < gradients.Length; t++)
            exact[SlotRead(starts, t)] += gradients[t];
        double largest = gradients.Max(g => Math.Abs((double)g));
        for (int s = 0; s < Slots; s++) Assert.True(Math.Abs(actual[s] - exact[s]) <= 1e-6 * Math.Abs(exact[s]) + 1e-9 * largest, $"slot {s}: {actual[s]} vs {exact[s]}");
    }

    [Fact]
    public void The_bits_do_not_depend_on_the_order_of_the_records()
    {
        var (starts, gradients) = Batch(200, 4);
        var random = new Random(6);
        int[] order = [.. Enumerable.Range(0, 200).OrderBy(_ => random.Next())];
        long[] shuffledStarts = [.. order.SelectMany(r => starts.AsSpan(r * 2, 2).ToArray())];
        float[] shuffledGradients = [.. order.SelectMany(r => gradients.AsSpan(r * Dim, Dim).ToArray())];
        Assert.Equal(Run(starts, gradients, out _), Run(shuffledStarts, shuffledGradients, out _));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_non_finite_gradient_gives_nan_at_every_slot_the_batch_read_and_leaves_the_accumulators_at_zero(float bad)
    {
        var (starts, gradients) = Batch(20, 5);
        gradients[17] = bad;
        float[] actual = Run(starts, gradients, out long[] after);
        bool[] read = new bool[Slots];
        for (int t = 0; t < gradients.Length; t++) read[SlotRead(starts, t)] = true;
        for (int s = 0; s < Slots; s++) Assert.Equal(read[s], float.IsNaN(actual[s]));
        Assert.All(after, a => Assert.Equal(0L, a));
    }
}
