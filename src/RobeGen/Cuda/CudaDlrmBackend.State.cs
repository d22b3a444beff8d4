using ILGPU;
using ILGPU.Runtime;
using RobeGen.Backends;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

// ExportState / ImportState: the tensor names and order of docs/model-math.md.
internal sealed partial class CudaDlrmBackend : IStreamedState, IStateScan
{
    /// <summary>Floats per chunk of an exported tensor (tests lower it to cross chunk boundaries with small models).</summary>
    internal int ExportChunkLength { get; set; } = ChunkedFloats.MaxChunkLength;

    /// <inheritdoc/>
    /// <remarks>
    /// Tensors come back in chunks of at most 2^30 floats, so an embedding larger than one array exports; the host must
    /// hold the whole state (an <see cref="InsufficientMemoryException"/> says so before anything is copied).
    /// </remarks>
    public ModelState ExportState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ModelMemory.ThrowIfTooLarge(Layout, _options);
        _device.Accelerator.Bind();
        var state = new ModelState();
        foreach (var (name, view) in StateViews(withEmbedding: true)) state.Add(name, Download(view));
        return state;
    }

    /// <inheritdoc/>
    public void ImportState(ModelState state) => Import(state, withEmbedding: true);

    /// <inheritdoc/>
    IReadOnlyList<TensorShape> IStreamedState.StateShape => StateViews(withEmbedding: true).Select(v => new TensorShape(v.Name, v.View.Length)).ToList();

    /// <inheritdoc/>
    void IStreamedState.ReadState(StateChunkVisitor visit, int pieceLength)
    {
        ArgumentNullException.ThrowIfNull(visit);
        foreach (var (name, start, piece, buffer) in Pieces(pieceLength))
        {
            piece.CopyToCPU(Stream, buffer.Span);
            _device.Synchronize();
            if (!visit(name, start, buffer.Span)) return;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Each piece is copied up before the buffer is filled again; the bf16 copies of the weights are refreshed at the end.</remarks>
    void IStreamedState.WriteState(StatePieceFiller fill, int pieceLength)
    {
        ArgumentNullException.ThrowIfNull(fill);
        _device.Accelerator.Bind();
        _device.Synchronize(); // nothing queued may still read the old values
        foreach (var (name, start, piece, buffer) in Pieces(pieceLength))
        {
            fill(name, start, buffer.Span);
            piece.CopyFromCPU(Stream, (ReadOnlySpan<float>)buffer.Span);
            _device.Synchronize();
        }
        RefreshBf16Weights();
        _device.Synchronize();
    }

    /// <inheritdoc/>
    /// <remarks>One kernel per tensor on the device, then the one offending value is copied up.</remarks>
    NonFiniteValue? IStateScan.FirstNonFinite()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Accelerator.Bind();
        var views = StateViews(withEmbedding: true).ToList();
        _nonFiniteScan ??= new NonFiniteScanKernel(_device.Accelerator);
        long[] firsts = _nonFiniteScan.FirstNonFinite(Stream, views.Select(v => v.View).ToList());
        for (int k = 0; k < views.Count; k++)
        {
            if (firsts[k] == NonFiniteScanKernel.NoneFound) continue;
            var value = new float[1];
            views[k].View.SubView(firsts[k], 1).CopyToCPU(Stream, value.AsSpan());
            _device.Synchronize();
            return new NonFiniteValue(views[k].Name, firsts[k], value[0]);
        }
        return null;
    }

    /// <summary>The finiteness scan's kernel, loaded at its first use (a model that is never checked never compiles it).</summary>
    private NonFiniteScanKernel? _nonFiniteScan;

    /// <summary>
    /// Every tensor in ModelState order as device pieces of at most <paramref name="pieceLength"/> floats, each with the
    /// slice of one host buffer (allocated once, no longer than the longest tensor) that it is copied through.
    /// </summary>
    private IEnumerable<(string Name, long Start, ArrayView<float> Piece, Memory<float> Buffer)> Pieces(int pieceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pieceLength, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Accelerator.Bind();
        var views = StateViews(withEmbedding: true).ToList();
        var buffer = new float[(int)Math.Min(pieceLength, views.Max(v => v.View.Length))];
        foreach (var (name, view) in views)
            for (long start = 0; start < view.Length; start += buffer.Length)
            {
                int length = (int)Math.Min(buffer.Length, view.Length - start);
                yield return (name, start, view.SubView(start, length), buffer.AsMemory(0, length));
            }
    }

    /// <summary>
    /// Replaces the tensors; without the embedding (<paramref name="withEmbedding"/> false) the state must hold every
    /// other tensor and the embedding's are left as they are (the constructor then draws them on the device).
    /// </summary>
    private void Import(ModelState state, bool withEmbedding)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var expected = StateViews(withEmbedding).ToList();
        StateShapes.RequireFit(expected.Select(e => new TensorShape(e.Name, e.View.Length)).ToList(), StateShapes.Of(state), nameof(state));

        _device.Accelerator.Bind();
        _device.Synchronize(); // nothing queued may still read the old values
        // The span overload pins the array for the whole copy (the ref-T overload does not: see Download).
        foreach (var (name, view) in expected)
        {
            ChunkedFloats values = state.Chunked(name);
            for (int c = 0; c < values.Chunks.Count; c++)
                view.SubView(values.ChunkStart(c), values.Chunks[c].Length).CopyFromCPU(Stream, (ReadOnlySpan<float>)values.Chunks[c]);
        }
        RefreshBf16Weights();
        _device.Synchronize();
    }

    /// <summary>
    /// Draws the embedding in place (<see cref="EmbeddingInitKernel"/>: the CPU initializer's values, element for element)
    /// and zeroes its Adagrad accumulator: no host copy of either.
    /// </summary>
    private void DrawEmbedding(int seed)
    {
        _device.Accelerator.Bind();
        new EmbeddingInitKernel(_device.Accelerator).Run(Stream, _t.Embedding.View, Layout, seed);
        _t.EmbeddingAccumulators?.View.MemSetToZero(Stream);
        _device.Synchronize();
    }

    /// <summary>Every tensor's device view in ModelState order: the parameters, then Adagrad's accumulators.</summary>
    private IEnumerable<(string Name, ArrayView<float> View)> StateViews(bool withEmbedding)
    {
        var views = ParameterViews(withEmbedding);
        return _options.Optimizer == OptimizerKind.Adagrad ? views.Concat(AccumulatorViews(withEmbedding)) : views;
    }

    private IEnumerable<(string Name, ArrayView<float> View)> ParameterViews(bool withEmbedding)
    {
        foreach (var (name, offset, length) in _mlp.Tensors()) yield return (name, _t.Parameter(offset, length));
        if (withEmbedding) yield return ("embedding", _t.Embedding.View.SubView(0, Layout.TotalParameters));
    }

    private IEnumerable<(string Name, ArrayView<float> View)> AccumulatorViews(bool withEmbedding)
    {
        foreach (var (name, offset, length) in _mlp.Tensors()) yield return ("adagrad." + name, _t.DenseAccumulators!.View.SubView(offset, length));
        if (withEmbedding) yield return ("adagrad.embedding", _t.EmbeddingAccumulators!.View.SubView(0, Layout.TotalParameters));
    }

    /// <summary>
    /// Copies a device view into new host chunks of <see cref="ExportChunkLength"/> floats. Through ILGPU's span overload,
    /// which pins the array while the copy runs: its CopyToCPU(ref T, length) takes the raw address without pinning, so a
    /// garbage collection that moves the young array in between sends the copy to its old address (a download of zeros,
    /// a corrupted heap).
    /// </summary>
    private ChunkedFloats Download(ArrayView<float> view)
    {
        ChunkedFloats values = ChunkedFloats.Allocate(view.Length, ExportChunkLength);
        for (int c = 0; c < values.Chunks.Count; c++)
            view.SubView(values.ChunkStart(c), values.Chunks[c].Length).CopyToCPU(Stream, values.Chunks[c].AsSpan());
        _device.Synchronize();
        return values;
    }
}
