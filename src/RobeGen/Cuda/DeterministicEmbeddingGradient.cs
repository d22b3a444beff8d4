using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.RadixSortOperations;
using ILGPU.Runtime;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

/// <summary>
/// ModelOptions.DeterministicGradients: (slot, coordinate) pairs, a stable radix sort by slot, and one thread per run
/// of equal slots summing in coordinate order - the same bits every run. A model with QuotientRemainder tables makes
/// two pairs per coordinate (quotient and remainder slot) with their product-rule terms formed first
/// (<see cref="DeterministicGradientKernels.BuildQuotientRemainderPairs"/>). A multi-hot batch's coordinates are its ids'
/// (one record per id): each id coordinate's gradient is formed first (<see cref="DeterministicGradientKernels.BagGradients"/>:
/// pooled and signed), then the pairs treat every id as a lookup of its own, in cell, id, coordinate order - the CPU
/// scatter's order. The pair buffers grow with a batch's ids. Models whose tables are all ROBE arrays sort nothing: they
/// sum in fixed point (see <see cref="_fixedPoint"/>).
/// </summary>
internal sealed class DeterministicEmbeddingGradient : EmbeddingGradient
{
    private readonly GpuDevice _device;
    private readonly DlrmKernelSet _kernels;
    private readonly DeviceTensors _t;
    private readonly BatchUploader _uploader;
    /// <summary>The sorted pairs' buffers and the radix sort (null for fixed-point models, which sort nothing).</summary>
    private readonly GrowableDeviceBuffer<int>? _keys;
    private readonly GrowableDeviceBuffer<int>? _values;
    private readonly GrowableDeviceBuffer<int>? _sortTemp;
    private readonly RadixSortPairs<int, Stride1D.Dense, int, Stride1D.Dense>? _sort;
    private readonly bool _signed;
    /// <summary>Single-hot Signed models: each coordinate's sign, and the all-ones array the sign gather reads.</summary>
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _signs;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _onesWeights;
    private readonly Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>>? _gather;
    /// <summary>The product-rule terms of the pairs (QuotientRemainder models only).</summary>
    private readonly GrowableDeviceBuffer<float>? _contributions;
    /// <summary>Multi-hot models: the gradient of every id coordinate.</summary>
    private readonly GrowableDeviceBuffer<float>? _idGradients;
    private readonly IGpuEmbeddingKernels _embeddingKernels;
    /// <summary>
    /// Models whose tables are all ROBE arrays (any variant, single- or multi-hot): every slot is summed in fixed point
    /// (<see cref="DeterministicGradientKernels.MaxMagnitude"/>, <see cref="DeterministicGradientKernels.FixedPointScatter"/>,
    /// <see cref="DeterministicGradientKernels.FixedPointCollect"/>): integer atomics, whose sums do not depend on their order,
    /// at about the cost of the atomic scatter and 8 bytes per array float (small by design: a ROBE array is the model's
    /// compressed memory). The sums differ from the CPU's float scatter by the rounding of each term to the batch's step
    /// (2^-(62 - h) to 2^-(61 - h) of its largest |term|, 2^h >= its coordinates). Full, Hashed and QuotientRemainder tables,
    /// whose arrays can be large, keep the sorted pairs.
    /// </summary>
    private readonly bool _fixedPoint;
    /// <summary>Fixed-point models: one 64-bit accumulator per array float, all zero between batches.</summary>
    private readonly MemoryBuffer1D<long, Stride1D.Dense>? _accumulators;
    /// <summary>Fixed-point models: the batch's largest |term| as float bits.</summary>
    private readonly MemoryBuffer1D<int, Stride1D.Dense>? _maxBits;

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
        _signed = layout.Variant == RobeVariant.Signed;
        _fixedPoint = layout.Storage.All(s => s == EmbeddingStorage.Robe);
        // A multi-hot batch's coordinates are known per batch; the same first guess (one id per cell), grown as needed.
        long coordinates = (long)maxBatch * layout.TableCount * layout.Dim;
        long pairs = coordinates * (layout.HasQuotientRemainder ? 2 : 1);
        if (pairs > int.MaxValue) throw new NotSupportedException($"Deterministic embedding gradients need batch x tables x dim (x 2 with QuotientRemainder tables) < 2^31; got {pairs}.");
        if (layout.HasQuotientRemainder) _contributions = new GrowableDeviceBuffer<float>(memory, "deterministic gradient product-rule terms", pairs);
        if (uploader.HasBags) _idGradients = new GrowableDeviceBuffer<float>(memory, "deterministic gradient id gradients", coordinates);
        if (_fixedPoint)
        {
            _accumulators = memory.Allocate<long>("deterministic gradient fixed-point sums", layout.TotalParameters);
            _accumulators.View.MemSetToZero(device.Stream);
            _maxBits = memory.Allocate<int>("deterministic gradient largest term", 1);
        }
        else
        {
            _keys = new GrowableDeviceBuffer<int>(memory, "deterministic gradient slot keys", pairs);
            _values = new GrowableDeviceBuffer<int>(memory, "deterministic gradient coordinate indices", pairs);
            _sortTemp = new GrowableDeviceBuffer<int>(memory, "deterministic gradient sort scratch", SortScratch((int)pairs));
            _sort = device.Accelerator.CreateRadixSortPairs<int, Stride1D.Dense, int, Stride1D.Dense, AscendingInt32>();
        }
        if (_signed && !uploader.HasBags)
        {
            // The sign of each coordinate is known only to the embedding kernels' hash. Gathering from an all-ones
            // array reads it back: E[j] = sign * 1. (Bags take their signs in BagGradients: a pooled gather would sum them.)
            _signs = memory.Allocate<float>("deterministic gradient signs", pairs);
            _onesWeights = memory.Allocate<float>("deterministic gradient sign probe", layout.TotalParameters);
            kernels.Fill(device.Stream, (int)layout.TotalParameters, _onesWeights.View, 1f);
            _gather = embeddingKernels.LoadGather(device.Accelerator);
        }
    }

    private long SortScratch(int pairs) => _device.Accelerator.ComputeRadixSortPairsTempStorageSize<int, int, AscendingInt32>((Index1D)pairs);

    public override void Accumulate(int rows, GpuEmbeddingArgs args, EmbeddingCoordinateArgs coordinates)
    {
        var stream = _device.Stream;
        int count = coordinates.Coordinates, pairs = _contributions is not null ? 2 * count : count;
        if (count == 0) return; // a multi-hot batch of empty bags read nothing
        MakeRoom(count, pairs);
        // What each coordinate contributes before the product rule: dL/dE itself (single-hot), times its sign when
        // useSigns; a multi-hot batch's id coordinates get theirs formed here, signs included.
        ArrayView<float> gradients = _t.GradEmbeddings.View, signs = gradients;
        int useSigns = 0;
        if (_idGradients is not null)
        {
            _kernels.BagGradients(stream, count, coordinates, _t.TableViews, _uploader.BagOffsets, _uploader.BagIds, _t.GradEmbeddings.View,
                _signed ? 1 : 0, _idGradients.View);
            gradients = _idGradients.View;
        }
        else if (_gather is not null)
        {
            GatherSigns(args, coordinates);
            signs = _signs!.View;
            useSigns = 1;
        }

        if (_fixedPoint)
        {
            SumInFixedPoint(count, coordinates, gradients, signs, useSigns);
            return;
        }
        if (_contributions is not null)
        {
            ArrayView<float> contributions = _contributions.View;
            _kernels.BuildQuotientRemainderPairs(stream, count, coordinates, _t.TableViews, _t.BlockStarts.View, _t.Embedding.View,
                gradients, signs, useSigns, _keys!.View, _values!.View, contributions);
            _sort!(stream, _keys.View.SubView(0, pairs), _values.View.SubView(0, pairs), _sortTemp!.View);
            _kernels.SegmentedSum(stream, pairs, _keys.View, _values.View, pairs, contributions, contributions, 0, _t.EmbeddingGradients.View);
            return;
        }
        _kernels.BuildPairs(stream, count, coordinates, _t.TableViews, _t.BlockStarts.View, _keys!.View, _values!.View);
        _sort!(stream, _keys.View.SubView(0, count), _values.View.SubView(0, count), _sortTemp!.View);
        _kernels.SegmentedSum(stream, count, _keys.View, _values.View, count, gradients, signs, useSigns, _t.EmbeddingGradients.View);
    }

    /// <summary>The fixed-point models' three passes: the batch's scale, the integer sums, dL/dM (see <see cref="_fixedPoint"/>).</summary>
    private void SumInFixedPoint(int count, EmbeddingCoordinateArgs coordinates, ArrayView<float> gradients, ArrayView<float> signs, int useSigns)
    {
        var stream = _device.Stream;
        int headroom = DeterministicGradientKernels.HeadroomBits(count);
        _maxBits!.View.MemSetToZero(stream);
        _kernels.MaxMagnitude(stream, _kernels.MaxMagnitudeConfig(count), gradients, count, _maxBits.View);
        _kernels.FixedPointScatter(stream, count, coordinates, _t.TableViews, headroom, _t.BlockStarts.View, gradients, signs, useSigns, _maxBits.View,
            _accumulators!.View);
        _kernels.FixedPointCollect(stream, count, coordinates, _t.TableViews, headroom, _t.BlockStarts.View, _maxBits.View, _accumulators.View,
            _t.EmbeddingGradients.View);
    }

    /// <summary>Grows the id-gradient and pair buffers for a multi-hot batch with more id coordinates than any before.</summary>
    private void MakeRoom(int count, int pairs)
    {
        _idGradients?.Ensure(count);
        if (_keys is null || pairs <= _keys.Length) return;
        _keys.Ensure(pairs);
        _values!.Ensure(_keys.Length);
        _contributions?.Ensure(_keys.Length);
        _sortTemp!.Ensure(SortScratch((int)Math.Min(int.MaxValue, _keys.Length)));
    }

    /// <summary>
    /// The sign of every coordinate, gathered from the all-ones array into [batch, T, d] (dense, whatever the step's
    /// output stride: the sums index the signs by coordinate). This gather also rewrites the recorded block starts - with
    /// the very same values.
    /// </summary>
    private void GatherSigns(GpuEmbeddingArgs args, EmbeddingCoordinateArgs coordinates) =>
        _gather!(_embeddingKernels.Extent(coordinates.Batch, coordinates.Tables), args with { OutputStride = coordinates.Tables * coordinates.Dim, OutputOffset = 0 },
            _t.TableViews, _onesWeights!.View, _uploader.Tokens, _t.BlockStarts.View, _signs!.View);
}
