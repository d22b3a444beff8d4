using ILGPU;
using ILGPU.Runtime;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

/// <summary>
/// Turns dL/dE [batch, tables, dim] into dL/dM in the model's dense embedding-gradient buffer (which is all zeros
/// before), from the block starts the gather recorded (one record per cell, or per id of a multi-hot batch's bags).
/// </summary>
internal abstract class EmbeddingGradient : IDisposable
{
    public abstract void Accumulate(int rows, GpuEmbeddingArgs args, EmbeddingCoordinateArgs coordinates);
    public virtual void Dispose() { }
}

/// <summary>The default: the generated scatter kernel adds every coordinate's gradient with a float atomic (fast; the
/// order of the additions, and so the last bits, may differ between runs). A multi-hot model's batches go through the bag
/// scatter: every id of a cell adds the cell's gradient (divided by the count for Mean).</summary>
internal sealed class AtomicEmbeddingGradient : EmbeddingGradient
{
    private readonly GpuDevice _device;
    private readonly DeviceTensors _t;
    private readonly Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>, ArrayView<float>> _scatter;
    private readonly BatchUploader _uploader;
    private readonly Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<int>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>, ArrayView<float>>? _scatterBags;
    private readonly IGpuEmbeddingKernels _kernels;

    public AtomicEmbeddingGradient(GpuDevice device, IGpuEmbeddingKernels kernels, DeviceTensors tensors, BatchUploader uploader)
    {
        _device = device;
        _t = tensors;
        _uploader = uploader;
        _kernels = kernels;
        _scatter = kernels.LoadScatterAtomic(device.Accelerator);
        if (uploader.HasBags) _scatterBags = kernels.LoadScatterBagsAtomic(device.Accelerator);
    }

    public override void Accumulate(int rows, GpuEmbeddingArgs args, EmbeddingCoordinateArgs coordinates) =>
        ScatterInto(rows, args, coordinates, _t.EmbeddingGradients.View);

    /// <summary>Adds dL/dE (as the step left it in GradEmbeddings) into <paramref name="target"/> at the recorded slots
    /// (the fused SGD passes the weights as the target: only for models without QuotientRemainder tables, whose scatter reads them).</summary>
    public void ScatterInto(int rows, GpuEmbeddingArgs args, EmbeddingCoordinateArgs coordinates, ArrayView<float> target)
    {
        int extent = _kernels.Extent(coordinates.Batch, coordinates.Tables);
        if (_scatterBags is not null)
            _scatterBags(extent, args, _t.TableViews, _t.Embedding.View, _uploader.BagOffsets, _uploader.BagIds, _t.BlockStarts.View, _t.GradEmbeddings.View, target);
        else
            _scatter(extent, args, _t.TableViews, _t.Embedding.View, _uploader.Tokens, _t.BlockStarts.View, _t.GradEmbeddings.View, target);
    }
}

