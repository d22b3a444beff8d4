using ILGPU;
using ILGPU.Runtime;

namespace RobeGen.Cuda.Kernels;

/// <summary>
/// Every hand-written kernel of the CUDA backend, compiled once for an accelerator (loading compiles: keep it out of
/// timed regions). All launches go to the stream passed in.
/// </summary>
internal sealed class DlrmKernelSet
{
    public DlrmKernelSet(Accelerator accelerator)
    {
        WarpSize = accelerator.WarpSize;
        InteractionForward = accelerator.LoadKernel<InteractionShape, int, Activations, ArrayView<float>, Activations>(InteractionKernels.Forward);
        InteractionBackward = accelerator.LoadKernel<InteractionShape, int, Activations, Activations, ArrayView<float>, Activations, ArrayView<float>, float>(
            InteractionKernels.Backward);
        ConcatAssemble = accelerator.LoadAutoGroupedKernel<Index1D, ConcatShape, Activations, ArrayView<float>, Activations>(ConcatKernels.Assemble);
        ConcatSplit = accelerator.LoadAutoGroupedKernel<Index1D, ConcatShape, Activations, ArrayView<float>, int, Activations, Activations, ArrayView<float>, float>(
            ConcatKernels.Split);
        CrossCombine = accelerator.LoadAutoGroupedKernel<Index1D, ConcatShape, Activations, Activations, Activations, Activations, ArrayView<ushort>, int>(
            ConcatKernels.CrossCombine);
        CrossBackward = accelerator.LoadAutoGroupedKernel<Index1D, ConcatShape, Activations, Activations, Activations, ArrayView<float>, Activations, ArrayView<float>, int>(
            ConcatKernels.CrossBackward);
        LogitForward = accelerator.LoadKernel<int, int, int, Activations, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>>(MlpKernels.LogitForward);
        LogitInputGradient = accelerator.LoadAutoGroupedKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, Activations, Activations>(MlpKernels.LogitInputGradient);
        ReluMask = accelerator.LoadAutoGroupedKernel<Index1D, Activations, Activations>(MlpKernels.ReluMask);
        ColumnSumPartials = accelerator.LoadAutoGroupedKernel<Index2D, int, int, int, Activations, ArrayView<float>, int, ArrayView<float>>(MlpKernels.ColumnSumPartials);
        ColumnSumFinish = accelerator.LoadAutoGroupedKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>>(MlpKernels.ColumnSumFinish);
        CastWeights = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<Bf16WeightSlot>, ArrayView<float>, ArrayView<ushort>>(PrecisionKernels.CastWeights);
        Fill = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float>(MlpKernels.Fill);
        LossForward = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(LossKernels.Forward);
        Probabilities = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(LossKernels.Probabilities);
        MeanReduce = accelerator.LoadKernel<ArrayView<float>, int, ArrayView<float>>(LossKernels.MeanReduce);
        Sgd = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(OptimizerKernels.Sgd);
        Adagrad = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(OptimizerKernels.Adagrad);
        EmbeddingSgd = accelerator.LoadAutoGroupedKernel<Index1D, EmbeddingCoordinateArgs, GpuTableViews, ArrayView<long>, ArrayView<float>, ArrayView<float>, float>(EmbeddingUpdateKernels.Sgd);
        EmbeddingAdagrad = accelerator.LoadAutoGroupedKernel<Index1D, EmbeddingCoordinateArgs, GpuTableViews, ArrayView<long>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(EmbeddingUpdateKernels.Adagrad);
        BuildPairs = accelerator.LoadAutoGroupedKernel<Index1D, EmbeddingCoordinateArgs, GpuTableViews, ArrayView<long>, ArrayView<int>, ArrayView<int>>(DeterministicGradientKernels.BuildPairs);
        BuildQuotientRemainderPairs = accelerator.LoadAutoGroupedKernel<Index1D, EmbeddingCoordinateArgs, GpuTableViews, ArrayView<long>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int, ArrayView<int>, ArrayView<int>, ArrayView<float>>(DeterministicGradientKernels.BuildQuotientRemainderPairs);
        BagGradients = accelerator.LoadAutoGroupedKernel<Index1D, EmbeddingCoordinateArgs, GpuTableViews, ArrayView<int>, ArrayView<ulong>, ArrayView<float>, int,
            ArrayView<float>>(DeterministicGradientKernels.BagGradients);
        MeanReduceConfig = new KernelConfig(new Index1D(1), new Index1D(ReductionGroupSize(accelerator, LossKernels.MaxReduceGroupSize)));
        SegmentedSum = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, int, ArrayView<float>, ArrayView<float>, int, ArrayView<float>>(DeterministicGradientKernels.SegmentedSum);
        MaxMagnitude = accelerator.LoadKernel<ArrayView<float>, int, ArrayView<int>>(DeterministicGradientKernels.MaxMagnitude);
        MaxMagnitudeGroupSize = ReductionGroupSize(accelerator, DeterministicGradientKernels.MaxMagnitudeGroupSize);
        FixedPointScatter = accelerator.LoadAutoGroupedKernel<Index1D, EmbeddingCoordinateArgs, GpuTableViews, int, ArrayView<long>, ArrayView<float>, ArrayView<float>, int,
            ArrayView<int>, ArrayView<long>>(DeterministicGradientKernels.FixedPointScatter);
        FixedPointCollect = accelerator.LoadAutoGroupedKernel<Index1D, EmbeddingCoordinateArgs, GpuTableViews, int, ArrayView<long>, ArrayView<int>, ArrayView<long>,
            ArrayView<float>>(DeterministicGradientKernels.FixedPointCollect);
    }

    /// <summary>The largest power of two at most <paramref name="limit"/> (a kernel's shared partials) and the accelerator's
    /// group size: the group of a shared-memory tree reduction, which halves its width each step.</summary>
    private static int ReductionGroupSize(Accelerator accelerator, int limit)
    {
        int size = 1;
        while (size * 2 <= Math.Min(limit, accelerator.MaxNumThreadsPerGroup)) size *= 2;
        return size;
    }

    /// <summary>Threads per warp on this accelerator (32 on a GPU; ILGPU's CPU accelerator simulates fewer).</summary>
    public int WarpSize { get; }

    /// <summary>Launch with <see cref="InteractionConfig"/>(rows, forward: true).</summary>
    public Action<AcceleratorStream, KernelConfig, InteractionShape, int, Activations, ArrayView<float>, Activations> InteractionForward { get; }
    /// <summary>Launch with <see cref="InteractionConfig"/>(rows, forward: false).</summary>
    public Action<AcceleratorStream, KernelConfig, InteractionShape, int, Activations, Activations, ArrayView<float>, Activations, ArrayView<float>, float> InteractionBackward { get; }
    /// <summary>Cat/DcnV2: x0 = [u, E, 0...] over rows * ConcatShape.Stride elements.</summary>
    public Action<AcceleratorStream, Index1D, ConcatShape, Activations, ArrayView<float>, Activations> ConcatAssemble { get; }
    /// <summary>Cat/DcnV2: dL/dx0 into du and dE over rows * ConcatShape.Width elements.</summary>
    public Action<AcceleratorStream, Index1D, ConcatShape, Activations, ArrayView<float>, int, Activations, Activations, ArrayView<float>, float> ConcatSplit { get; }
    public Action<AcceleratorStream, Index1D, ConcatShape, Activations, Activations, Activations, Activations, ArrayView<ushort>, int> CrossCombine { get; }
    public Action<AcceleratorStream, Index1D, ConcatShape, Activations, Activations, Activations, ArrayView<float>, Activations, ArrayView<float>, int> CrossBackward { get; }
    /// <summary>Launch with <see cref="LogitConfig"/>.</summary>
    public Action<AcceleratorStream, KernelConfig, int, int, int, Activations, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>> LogitForward { get; }
    public Action<AcceleratorStream, Index1D, int, int, int, ArrayView<float>, ArrayView<float>, Activations, Activations> LogitInputGradient { get; }
    public Action<AcceleratorStream, Index1D, Activations, Activations> ReluMask { get; }
    public Action<AcceleratorStream, Index2D, int, int, int, Activations, ArrayView<float>, int, ArrayView<float>> ColumnSumPartials { get; }
    public Action<AcceleratorStream, Index1D, int, int, ArrayView<float>, ArrayView<float>> ColumnSumFinish { get; }
    public Action<AcceleratorStream, Index1D, ArrayView<Bf16WeightSlot>, ArrayView<float>, ArrayView<ushort>> CastWeights { get; }
    public Action<AcceleratorStream, Index1D, ArrayView<float>, float> Fill { get; }
    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> LossForward { get; }
    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>> Probabilities { get; }
    /// <summary>Launch with <see cref="MeanReduceConfig"/>.</summary>
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, ArrayView<float>> MeanReduce { get; }
    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, float> Sgd { get; }
    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> Adagrad { get; }
    public Action<AcceleratorStream, Index1D, EmbeddingCoordinateArgs, GpuTableViews, ArrayView<long>, ArrayView<float>, ArrayView<float>, float> EmbeddingSgd { get; }
    public Action<AcceleratorStream, Index1D, EmbeddingCoordinateArgs, GpuTableViews, ArrayView<long>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> EmbeddingAdagrad { get; }
    public Action<AcceleratorStream, Index1D, EmbeddingCoordinateArgs, GpuTableViews, ArrayView<long>, ArrayView<int>, ArrayView<int>> BuildPairs { get; }
    public Action<AcceleratorStream, Index1D, EmbeddingCoordinateArgs, GpuTableViews, ArrayView<long>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int,
        ArrayView<int>, ArrayView<int>, ArrayView<float>> BuildQuotientRemainderPairs
    { get; }
    public Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>, int, ArrayView<float>, ArrayView<float>, int, ArrayView<float>> SegmentedSum { get; }
    /// <summary>ROBE models, fixed-point pass 1: the batch's largest |term| (see <see cref="DeterministicGradientKernels.MaxMagnitude"/>).</summary>
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, ArrayView<int>> MaxMagnitude { get; }
    /// <summary>Threads per group of <see cref="MaxMagnitude"/> on this accelerator (a power of two).</summary>
    public int MaxMagnitudeGroupSize { get; }

    /// <summary>The launch of <see cref="MaxMagnitude"/> over <paramref name="count"/> terms: about 8 terms per thread, at most
    /// 1,024 groups (so at most 1,024 atomics on the result).</summary>
    public KernelConfig MaxMagnitudeConfig(int count) =>
        new(new Index1D((int)Math.Clamp((count + 8L * MaxMagnitudeGroupSize - 1) / (8L * MaxMagnitudeGroupSize), 1, 1024)), new Index1D(MaxMagnitudeGroupSize));
    /// <summary>Pass 2: the scaled, rounded terms added to the slots' integer accumulators (see <see cref="DeterministicGradientKernels.FixedPointScatter"/>).</summary>
    public Action<AcceleratorStream, Index1D, EmbeddingCoordinateArgs, GpuTableViews, int, ArrayView<long>, ArrayView<float>, ArrayView<float>, int, ArrayView<int>,
        ArrayView<long>> FixedPointScatter
    { get; }
    /// <summary>Pass 3: each read slot's sum into dL/dM, its accumulator back to zero (see <see cref="DeterministicGradientKernels.FixedPointCollect"/>).</summary>
    public Action<AcceleratorStream, Index1D, EmbeddingCoordinateArgs, GpuTableViews, int, ArrayView<long>, ArrayView<int>, ArrayView<long>, ArrayView<float>> FixedPointCollect
    { get; }
    /// <summary>Multi-hot batches: each id coordinate's gradient (pooled, signed) over EmbeddingCoordinateArgs.Coordinates.</summary>
    public Action<AcceleratorStream, Index1D, EmbeddingCoordinateArgs, GpuTableViews, ArrayView<int>, ArrayView<ulong>, ArrayView<float>, int, ArrayView<float>> BagGradients { get; }

    /// <summary>One group: the largest power of two the accelerator allows, up to <see cref="LossKernels.MaxReduceGroupSize"/>.</summary>
    public KernelConfig MeanReduceConfig { get; }

    /// <summary>A warp per sample, <see cref="InteractionKernels.WarpsPerGroup"/> per group, with their shared memory.</summary>
    public KernelConfig InteractionConfig(InteractionShape shape, int rows, bool forward) => new(
        new Index1D(InteractionKernels.Groups(rows)), new Index1D(InteractionKernels.WarpsPerGroup * WarpSize),
        SharedMemoryConfig.RequestDynamic<float>(forward ? InteractionKernels.ForwardSharedFloats(shape) : InteractionKernels.BackwardSharedFloats(shape)));

    /// <summary>A warp per row, <see cref="MlpKernels.LogitWarpsPerGroup"/> per group.</summary>
    public KernelConfig LogitConfig(int rows) => new(
        new Index1D((rows + MlpKernels.LogitWarpsPerGroup - 1) / MlpKernels.LogitWarpsPerGroup), new Index1D(MlpKernels.LogitWarpsPerGroup * WarpSize));
}
