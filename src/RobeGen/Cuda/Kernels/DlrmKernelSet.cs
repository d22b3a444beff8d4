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
        BiasActivation = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(DenseKernels.BiasActivation);
        ReluBackward = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(DenseKernels.ReluBackward);
        Fill = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float>(DenseKernels.Fill);
        Assemble = accelerator.LoadAutoGroupedKernel<Index1D, InteractionShape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(InteractionKernels.Assemble);
        ExtractPairs = accelerator.LoadAutoGroupedKernel<Index1D, InteractionShape, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>>(InteractionKernels.ExtractPairs);
        SymmetricPairGradient = accelerator.LoadAutoGroupedKernel<Index1D, InteractionShape, ArrayView<float>, ArrayView<float>>(InteractionKernels.SymmetricPairGradient);
        SplitGradient = accelerator.LoadAutoGroupedKernel<Index1D, InteractionShape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(InteractionKernels.SplitGradient);
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
        int groupSize = 1;
        while (groupSize * 2 <= Math.Min(LossKernels.MaxReduceGroupSize, accelerator.MaxNumThreadsPerGroup)) groupSize *= 2;
        MeanReduceConfig = new KernelConfig(new Index1D(1), new Index1D(groupSize));
        SegmentedSum = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, int, ArrayView<float>, ArrayView<float>, int, ArrayView<float>>(DeterministicGradientKernels.SegmentedSum);
    }

    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int> BiasActivation { get; }
    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>> ReluBackward { get; }
    public Action<AcceleratorStream, Index1D, ArrayView<float>, float> Fill { get; }
    public Action<AcceleratorStream, Index1D, InteractionShape, ArrayView<float>, ArrayView<float>, ArrayView<float>> Assemble { get; }
    public Action<AcceleratorStream, Index1D, InteractionShape, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>> ExtractPairs { get; }
    public Action<AcceleratorStream, Index1D, InteractionShape, ArrayView<float>, ArrayView<float>> SymmetricPairGradient { get; }
    public Action<AcceleratorStream, Index1D, InteractionShape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> SplitGradient { get; }
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
        ArrayView<int>, ArrayView<int>, ArrayView<float>> BuildQuotientRemainderPairs { get; }
    public Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>, int, ArrayView<float>, ArrayView<float>, int, ArrayView<float>> SegmentedSum { get; }

    /// <summary>One group: the largest power of two the accelerator allows, up to <see cref="LossKernels.MaxReduceGroupSize"/>.</summary>
    public KernelConfig MeanReduceConfig { get; }
}
