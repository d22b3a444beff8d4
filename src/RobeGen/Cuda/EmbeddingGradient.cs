using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.RadixSortOperations;
using ILGPU.Runtime;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

/// <summary>
/// Turns dL/dE [batch, tables, dim] into dL/dM in the model's dense embedding-gradient buffer (which is all zeros
/// before), from the block starts the gather recorded.
/// </summary>
internal abstract class EmbeddingGradient : IDisposable
{
    public abstract void Accumulate(int rows, GpuEmbeddingArgs args, EmbeddingCoordinateArgs coordinates);
    public virtual void Dispose() { }
}

/// <summary>The default: the generated scatter kernel adds every coordinate's gradient with a float atomic (fast; the
/// order of the additions, and so the last bits, may differ between runs).</summary>
internal sealed class AtomicEmbeddingGradient : EmbeddingGradient
{
    private readonly GpuDevice _device;
    private readonly DeviceTensors _t;
    private readonly Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>, ArrayView<float>> _scatter;
    private readonly BatchUploader _uploader;
    private readonly IGpuEmbeddingKernels _kernels;

    public AtomicEmbeddingGradient(GpuDevice device, IGpuEmbeddingKernels kernels, DeviceTensors tensors, BatchUploader uploader)
    {
        _device = device;
        _t = tensors;
        _uploader = uploader;
        _kernels = kernels;
        _scatter = kernels.LoadScatterAtomic(device.Accelerator);
    }

    public override void Accumulate(int rows, GpuEmbeddingArgs args, EmbeddingCoordinateArgs coordinates) =>
        ScatterInto(rows, args, coordinates, _t.EmbeddingGradients.View);

    /// <summary>Adds dL/dE (as the step left it in GradEmbeddings) into <paramref name="target"/> at the recorded slots
    /// (the fused SGD passes the weights as the target: only for models without QuotientRemainder tables, whose scatter reads them).</summary>
    public void ScatterInto(int rows, GpuEmbeddingArgs args, EmbeddingCoordinateArgs coordinates, ArrayView<float> target) =>
        _scatter(_kernels.Extent(coordinates.Batch, coordinates.Tables), args, _t.TableViews, _t.Embedding.View, _uploader.Tokens, _t.BlockStarts.View,
            _t.GradEmbeddings.View, target);
}

/// <summary>
/// ModelOptions.DeterministicGradients: (slot, coordinate) pairs, a stable radix sort by slot, and one thread per run
/// of equal slots summing in coordinate order - the same bits every run. A model with QuotientRemainder tables makes
/// two pairs per coordinate (quotient and remainder slot) with their product-rule terms formed first
/// (<see cref="DeterministicGradientKernels.BuildQuotientRemainderPairs"/>).
/// </summary>
internal sealed class DeterministicEmbeddingGradient : EmbeddingGradient
{
    private readonly GpuDevice _device;
    private readonly DlrmKernelSet _kernels;
    private readonly DeviceTensors _t;
    private readonly BatchUploader _uploader;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _keys;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _values;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _sortTemp;
    private readonly RadixSortPairs<int, Stride1D.Dense, int, Stride1D.Dense> _sort;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _signs;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _onesWeights;
    private readonly Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>>? _gather;
    /// <summary>The product-rule terms of the pairs (QuotientRemainder models only).</summary>
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _contributions;
    private readonly IGpuEmbeddingKernels _embeddingKernels;

    public DeterministicEmbeddingGradient(GpuDevice device, DeviceMemory memory, DlrmKernelSet kernels, IGpuEmbeddingKernels embeddingKernels,
        EmbeddingLayout layout, int maxBatch, DeviceTensors tensors, BatchUploader uploader)
    {
        if (layout.TotalParameters > int.MaxValue)
            throw new NotSupportedException($"Deterministic embedding gradients sort 32-bit slot keys; this layout has {layout.TotalParameters} embedding floats. Use the default (atomic) gradients.");
        _device = device;
        _kernels = kernels;
        _t = tensors;
        _uploader = uploader;
        _embeddingKernels = embeddingKernels;
        long pairs = (long)maxBatch * layout.TableCount * layout.Dim * (layout.HasQuotientRemainder ? 2 : 1);
        if (pairs > int.MaxValue) throw new NotSupportedException($"Deterministic embedding gradients need batch x tables x dim (x 2 with QuotientRemainder tables) < 2^31; got {pairs}.");
        if (layout.HasQuotientRemainder) _contributions = memory.Allocate<float>("deterministic gradient product-rule terms", pairs);
        _keys = memory.Allocate<int>("deterministic gradient slot keys", pairs);
        _values = memory.Allocate<int>("deterministic gradient coordinate indices", pairs);
        var tempSize = device.Accelerator.ComputeRadixSortPairsTempStorageSize<int, int, AscendingInt32>((Index1D)(int)pairs);
        _sortTemp = memory.Allocate<int>("deterministic gradient sort scratch", tempSize);
        _sort = device.Accelerator.CreateRadixSortPairs<int, Stride1D.Dense, int, Stride1D.Dense, AscendingInt32>();
        if (layout.Variant == RobeVariant.Signed)
        {
            // The sign of each coordinate is known only to the embedding kernels' hash. Gathering from an all-ones
            // array reads it back: E[j] = sign * 1.
            _signs = memory.Allocate<float>("deterministic gradient signs", pairs);
            _onesWeights = memory.Allocate<float>("deterministic gradient sign probe", layout.TotalParameters);
            kernels.Fill(device.Stream, (int)layout.TotalParameters, _onesWeights.View, 1f);
            _gather = embeddingKernels.LoadGather(device.Accelerator);
        }
    }

    public override void Accumulate(int rows, GpuEmbeddingArgs args, EmbeddingCoordinateArgs coordinates)
    {
        if (_contributions is not null)
        {
            AccumulateWithQuotientRemainder(args, coordinates, _contributions.View);
            return;
        }
        var stream = _device.Stream;
        int count = coordinates.Coordinates;
        _kernels.BuildPairs(stream, count, coordinates, _t.TableViews, _t.BlockStarts.View, _keys.View, _values.View);
        _sort(stream, _keys.View.SubView(0, count), _values.View.SubView(0, count), _sortTemp.View);
        ArrayView<float> signs = _t.GradEmbeddings.View; // unused unless the variant is Signed
        if (_gather is not null)
        {
            GatherSigns(args, coordinates);
            signs = _signs!.View;
        }
        _kernels.SegmentedSum(stream, count, _keys.View, _values.View, count, _t.GradEmbeddings.View, signs,
            _gather is not null ? 1 : 0, _t.EmbeddingGradients.View);
    }

    /// <summary>
    /// The sign of every coordinate, gathered from the all-ones array into [batch, T, d] (dense, whatever the step's
    /// output stride: the sums index the signs by coordinate). This gather also rewrites the recorded block starts - with
    /// the very same values.
    /// </summary>
    private void GatherSigns(GpuEmbeddingArgs args, EmbeddingCoordinateArgs coordinates) =>
        _gather!(_embeddingKernels.Extent(coordinates.Batch, coordinates.Tables), args with { OutputStride = coordinates.Tables * coordinates.Dim, OutputOffset = 0 },
            _t.TableViews, _onesWeights!.View, _uploader.Tokens, _t.BlockStarts.View, _signs!.View);

    /// <summary>Signs first (the terms need them), then two pairs per coordinate, the sort, and the sums of the terms.</summary>
    private void AccumulateWithQuotientRemainder(GpuEmbeddingArgs args, EmbeddingCoordinateArgs coordinates, ArrayView<float> contributions)
    {
        var stream = _device.Stream;
        int count = coordinates.Coordinates, pairs = 2 * count;
        ArrayView<float> signs = _t.GradEmbeddings.View; // unused unless the variant is Signed
        if (_gather is not null)
        {
            GatherSigns(args, coordinates);
            signs = _signs!.View;
        }
        _kernels.BuildQuotientRemainderPairs(stream, count, coordinates, _t.TableViews, _t.BlockStarts.View, _t.Embedding.View,
            _t.GradEmbeddings.View, signs, _gather is not null ? 1 : 0, _keys.View, _values.View, contributions);
        _sort(stream, _keys.View.SubView(0, pairs), _values.View.SubView(0, pairs), _sortTemp.View);
        _kernels.SegmentedSum(stream, pairs, _keys.View, _values.View, pairs, contributions, contributions, 0, _t.EmbeddingGradients.View);
    }
}
