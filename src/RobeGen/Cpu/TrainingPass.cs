using RobeGen.Cpu.Gemm;
using RobeGen.Cpu.Layers;
using RobeGen.Cpu.Threading;
using RobeGen.Data;

namespace RobeGen.Cpu;

/// <summary>
/// Forward and backward of one training batch in three pool calls (pack the weights, rows, weight gradients) instead
/// of one to three per layer and phase.
/// <para>
/// Everything but the weight gradients is per row: the MLP layers, the embedding gather, the interaction, the loss
/// gradient and the backward chain down to dL/dx of each layer (dX = dZ W, the ReLU mask). So the first call cuts the
/// batch into row blocks, and each item runs its rows through the whole forward and that whole backward chain on its
/// worker's single-threaded GEMM, with no barrier between layers. The last call computes what sums over the batch:
/// dW = dZ^T x and db for every layer, in items of a few output rows (largest first, for balance), and the scatter of
/// the embedding gradient and the interaction's parameter gradients as two more items.
/// </para>
/// <para>
/// Results do not depend on the thread count: a row's outputs never depend on the rows beside it (the GEMM sums each
/// element over K in the same order for any number of rows, see <see cref="Sgemm"/>), and every weight gradient
/// element is summed over the whole batch in row order by one item. The bits are those of the layer-by-layer pass
/// (<see cref="LinearLayer.Backward"/>).
/// </para>
/// </summary>
internal sealed unsafe class TrainingPass : IParallelWork, IDisposable
{
    /// <summary>Largest row block: its activations stay in the worker's L2 from one layer to the next.</summary>
    private const int MaxRowsPerItem = 128;
    /// <summary>Output rows of dW per weight-gradient item (each item re-packs a partial last panel of the layer input, so not too few).</summary>
    private const int OutputsPerGradItem = 128;

    private readonly WorkerPool _pool, _serial;
    private readonly Sgemm[] _gemms;
    private readonly LinearLayer[] _bottom, _top, _layers;
    private readonly FeatureInteraction _interaction;
    private readonly IEmbeddingKernels _kernels;
    private readonly EmbeddingLayout _layout;
    private readonly float[] _embedding, _embeddingGrad, _gathered, _gatheredGrad, _interactionOut, _interactionGrad;
    private readonly BlockStartBuffer _blockStarts;
    private readonly (int Layer, int First, int Count)[] _gradItems;
    /// <summary>Layers by decreasing weight count (the pack items, largest first).</summary>
    private readonly int[] _packOrder;

    // The pass being run (valid during Run only).
    private Batch? _batch;
    private Phase _phase;
    private int _rowsPerItem;
    private long _weightsVersion;

    private enum Phase { Pack, Rows, WeightGrads }

    /// <summary>Weight-gradient items 0 and 1 are the embedding scatter and the interaction's parameters (DcnV2's cross
    /// layers; nothing for Dot and Cat); the MLP layers' items follow.</summary>
    private const int FirstLayerGradItem = 2;

    public TrainingPass(WorkerPool pool, LinearLayer[] bottom, LinearLayer[] top, FeatureInteraction interaction,
        IEmbeddingKernels kernels, EmbeddingLayout layout, float[] embedding, float[] embeddingGrad, BlockStartBuffer blockStarts,
        float[] gathered, float[] gatheredGrad, float[] interactionOut, float[] interactionGrad)
    {
        _pool = pool;
        _bottom = bottom;
        _top = top;
        _layers = [.. bottom, .. top];
        _interaction = interaction;
        _kernels = kernels;
        _layout = layout;
        _embedding = embedding;
        _embeddingGrad = embeddingGrad;
        _blockStarts = blockStarts;
        _gathered = gathered;
        _gatheredGrad = gatheredGrad;
        _interactionOut = interactionOut;
        _interactionGrad = interactionGrad;
        // Each worker runs its items' products alone: a GEMM of its own on a pool of one (no threads).
        _serial = new WorkerPool(1);
        _gemms = new Sgemm[pool.Threads];
        for (int w = 0; w < _gemms.Length; w++) _gemms[w] = new Sgemm(_serial);

        var items = new List<(int, int, int)>();
        for (int l = 0; l < _layers.Length; l++)
            for (int first = 0; first < _layers[l].Outputs; first += OutputsPerGradItem)
                items.Add((l, first, Math.Min(OutputsPerGradItem, _layers[l].Outputs - first)));
        _gradItems = items.OrderByDescending(i => (long)_layers[i.Item1].Inputs * i.Item3).ToArray();
        _packOrder = Enumerable.Range(0, _layers.Length).OrderByDescending(l => _layers[l].Weight.Length).ToArray();
    }

    /// <summary>
    /// Fills every layer's weight and bias gradients, the embedding array's gradient (added into
    /// <see cref="_embeddingGrad"/>, which the optimizer step leaves zero) and <see cref="_blockStarts"/> for
    /// <paramref name="batch"/>; returns the mean loss. The layers' W^T
    /// panels are packed first unless they hold <paramref name="weightsVersion"/> already (one layer per item: one
    /// pool call where packing layer by layer took one per large layer).
    /// </summary>
    public float Run(Batch batch, long weightsVersion)
    {
        _weightsVersion = weightsVersion;
        _phase = Phase.Pack;
        _pool.Run(this, _layers.Length);

        int n = batch.Count;
        // A multi-hot batch records block starts per id: make room before the rows run (they write disjoint records).
        if (batch.IsMultiHot) _blockStarts.Ensure((long)batch.IdCount * _layout.MaxBlocks);
        int perThread = (n + _pool.Threads - 1) / _pool.Threads;
        _rowsPerItem = Math.Min(MaxRowsPerItem, (perThread + 7) / 8 * 8);
        _batch = batch;
        fixed (float* bottomOut = _bottom[^1].Output, bottomGrad = _bottom[^1].OutputGrad, gathered = _gathered,
               gatheredGrad = _gatheredGrad, interactionOut = _interactionOut, interactionGrad = _interactionGrad)
        {
            _interaction.SetBuffers(bottomOut, gathered, interactionOut, interactionGrad, bottomGrad, gatheredGrad);
            try
            {
                _phase = Phase.Rows;
                _pool.Run(this, (n + _rowsPerItem - 1) / _rowsPerItem);
                _phase = Phase.WeightGrads;
                _pool.Run(this, FirstLayerGradItem + _gradItems.Length);
            }
            finally
            {
                _interaction.SetBuffers(null, null, null, null, null, null);
                _batch = null;
            }
        }
        return BinaryCrossEntropy.Loss(_top[^1].Output.AsSpan(0, n), batch.LabelSpan);
    }

    public void Execute(int item, int worker)
    {
        if (_phase == Phase.Pack)
        {
            _layers[_packOrder[item]].EnsurePacked(_gemms[worker], _weightsVersion);
            return;
        }
        if (_phase == Phase.WeightGrads)
        {
            if (item == 0)
            {
                ScatterEmbeddingGrad();
                return;
            }
            if (item == 1)
            {
                _interaction.ParameterGrads(_gemms[worker], _batch!.Count);
                return;
            }
            var (layer, first, count) = _gradItems[item - FirstLayerGradItem];
            _layers[layer].WeightGradRows(_gemms[worker], InputOf(layer), _batch!.Count, first, count);
            return;
        }
        int start = item * _rowsPerItem;
        RunRows(start, Math.Min(_rowsPerItem, _batch!.Count - start), worker);
    }

    /// <summary>Rows [first, first + count): the forward pass, the loss gradient and the per-row backward chain.</summary>
    private void RunRows(int first, int count, int worker)
    {
        Batch batch = _batch!;
        Sgemm gemm = _gemms[worker];
        int tables = _layout.TableCount, dim = _layout.Dim, width = _interaction.Width;

        ReadOnlySpan<float> input = batch.DenseSpan.Slice(first * batch.DenseFeatures, count * batch.DenseFeatures);
        foreach (LinearLayer layer in _bottom) input = Forward(layer, gemm, input, first, count);
        if (batch.IsMultiHot)
            _kernels.GatherBags(_layout, _embedding, batch.BagOffsets.AsSpan(first * tables, count * tables + 1), batch.BagIds, count,
                _blockStarts.Array, _gathered.AsSpan(first * tables * dim, count * tables * dim));
        else
            _kernels.Gather(_layout, _embedding, batch.TokenSpan.Slice(first * tables, count * tables), count,
                _blockStarts.Array.AsSpan(first * tables * _layout.MaxBlocks, count * tables * _layout.MaxBlocks),
                _gathered.AsSpan(first * tables * dim, count * tables * dim));
        _interaction.ForwardRows(first, count, worker, gemm);
        input = _interactionOut.AsSpan(first * width, count * width);
        foreach (LinearLayer layer in _top) input = Forward(layer, gemm, input, first, count);

        LinearLayer logit = _top[^1];
        BinaryCrossEntropy.Gradient(logit.Output.AsSpan(first, count), batch.LabelSpan.Slice(first, count),
            logit.OutputGrad.AsSpan(first, count), 1f / batch.Count);

        for (int i = _top.Length - 1; i >= 0; i--)
        {
            Span<float> inputGrad = i == 0
                ? _interactionGrad.AsSpan(first * width, count * width)
                : _top[i - 1].OutputGrad.AsSpan(first * _top[i].Inputs, count * _top[i].Inputs);
            _top[i].BackwardRows(gemm, inputGrad, first, count);
        }
        _interaction.BackwardRows(first, count, worker, gemm);
        for (int i = _bottom.Length - 1; i >= 0; i--)
        {
            Span<float> inputGrad = i == 0 ? default : _bottom[i - 1].OutputGrad.AsSpan(first * _bottom[i].Inputs, count * _bottom[i].Inputs);
            _bottom[i].BackwardRows(gemm, inputGrad, first, count);
        }
    }

    /// <summary>Adds the per-sample embedding gradients into the array's gradient, in sample order (serial by nature:
    /// samples share slots). It needs only the row blocks' results, so it runs as the first item of the weight-gradient
    /// call, beside the dW products, instead of alone between two calls.</summary>
    private void ScatterEmbeddingGrad()
    {
        int n = _batch!.Count, tables = _layout.TableCount;
        // The weights are still those the gather read (the optimizer's call comes after this one): QuotientRemainder's
        // product rule needs them.
        if (_batch.IsMultiHot)
            _kernels.ScatterBagGradient(_layout, _embedding, _batch.BagOffsets.AsSpan(0, n * tables + 1), _batch.BagIds,
                _blockStarts.Array.AsSpan(0, _batch.IdCount * _layout.MaxBlocks), n, _gatheredGrad.AsSpan(0, n * tables * _layout.Dim), _embeddingGrad);
        else
            _kernels.ScatterGradient(_layout, _embedding, _batch.TokenSpan, _blockStarts.Array.AsSpan(0, n * tables * _layout.MaxBlocks), n,
                _gatheredGrad.AsSpan(0, n * tables * _layout.Dim), _embeddingGrad);
    }

    private static ReadOnlySpan<float> Forward(LinearLayer layer, Sgemm gemm, ReadOnlySpan<float> input, int first, int count)
    {
        layer.ForwardRows(gemm, input, first, count);
        return layer.Output.AsSpan(first * layer.Outputs, count * layer.Outputs);
    }

    /// <summary>The whole batch's input of layer <paramref name="index"/> (in <see cref="_layers"/> order).</summary>
    private ReadOnlySpan<float> InputOf(int index)
    {
        int n = _batch!.Count;
        if (index == 0) return _batch.DenseSpan;
        if (index < _bottom.Length) return _bottom[index - 1].Output.AsSpan(0, n * _bottom[index].Inputs);
        int top = index - _bottom.Length;
        return top == 0 ? _interactionOut.AsSpan(0, n * _interaction.Width) : _top[top - 1].Output.AsSpan(0, n * _top[top].Inputs);
    }

    public void Dispose()
    {
        foreach (Sgemm gemm in _gemms) gemm.Dispose();
        _serial.Dispose();
    }
}
