using ILGPU;
using ILGPU.Runtime;
using RobeGen.Backends;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

// ExportState / ImportState: the tensor names and order of docs/model-math.md.
internal sealed partial class CudaDlrmBackend : IStreamedState
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
        foreach (var (name, view) in ParameterViews(withEmbedding: true)) state.Add(name, Download(view));
        if (_options.Optimizer == OptimizerKind.Adagrad)
            foreach (var (name, view) in AccumulatorViews(withEmbedding: true)) state.Add(name, Download(view));
        return state;
    }

    /// <inheritdoc/>
    public void ImportState(ModelState state) => Import(state, withEmbedding: true);

    /// <inheritdoc/>
    void IStreamedState.ReadState(StateChunkVisitor visit, int pieceLength)
    {
        ArgumentNullException.ThrowIfNull(visit);
        ArgumentOutOfRangeException.ThrowIfLessThan(pieceLength, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Accelerator.Bind();
        var views = ParameterViews(withEmbedding: true).ToList();
        if (_options.Optimizer == OptimizerKind.Adagrad) views.AddRange(AccumulatorViews(withEmbedding: true));
        var buffer = new float[(int)Math.Min(pieceLength, views.Max(v => v.View.Length))];
        foreach (var (name, view) in views)
            for (long start = 0; start < view.Length; start += buffer.Length)
            {
                Span<float> piece = buffer.AsSpan(0, (int)Math.Min(buffer.Length, view.Length - start));
                view.SubView(start, piece.Length).CopyToCPU(Stream, piece);
                _device.Synchronize();
                if (!visit(name, start, piece)) return;
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
        var expected = ParameterViews(withEmbedding).ToList();
        if (_options.Optimizer == OptimizerKind.Adagrad) expected.AddRange(AccumulatorViews(withEmbedding));
        foreach (var (name, view) in expected)
        {
            if (!state.Contains(name)) throw new ArgumentException($"The model state has no tensor '{name}'.", nameof(state));
            if (state.Chunked(name).Length != view.Length)
                throw new ArgumentException($"Tensor '{name}' has {state.Chunked(name).Length} values; this model needs {view.Length}.", nameof(state));
        }
        var known = expected.Select(e => e.Name).ToHashSet();
        if (state.ChunkedTensors.FirstOrDefault(t => !known.Contains(t.Key)) is { Key: not null } extra)
            throw new ArgumentException($"The model state has a tensor '{extra.Key}' this model does not have (another optimizer or declaration?).", nameof(state));

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
