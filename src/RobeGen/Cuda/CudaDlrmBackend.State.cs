using ILGPU;
using ILGPU.Runtime;
using RobeGen.Backends;

namespace RobeGen.Cuda;

// ExportState / ImportState: the tensor names and order of docs/model-math.md.
internal sealed partial class CudaDlrmBackend
{
    /// <inheritdoc/>
    public ModelState ExportState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Accelerator.Bind();
        var state = new ModelState();
        foreach (var (name, view) in ParameterViews()) state.Add(name, Download(view));
        if (_options.Optimizer == OptimizerKind.Adagrad)
            foreach (var (name, view) in AccumulatorViews()) state.Add(name, Download(view));
        return state;
    }

    /// <inheritdoc/>
    public void ImportState(ModelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var expected = ParameterViews().ToList();
        if (_options.Optimizer == OptimizerKind.Adagrad) expected.AddRange(AccumulatorViews());
        foreach (var (name, view) in expected)
        {
            if (!state.Contains(name)) throw new ArgumentException($"The model state has no tensor '{name}'.", nameof(state));
            if (state[name].LongLength != view.Length)
                throw new ArgumentException($"Tensor '{name}' has {state[name].LongLength} values; this model needs {view.Length}.", nameof(state));
        }
        var known = expected.Select(e => e.Name).ToHashSet();
        if (state.Tensors.FirstOrDefault(t => !known.Contains(t.Key)) is { Key: not null } extra)
            throw new ArgumentException($"The model state has a tensor '{extra.Key}' this model does not have (another optimizer or declaration?).", nameof(state));

        _device.Accelerator.Bind();
        _device.Synchronize(); // nothing queued may still read the old values
        // The span overload pins the array for the whole copy (the ref-T overload does not: see Download).
        foreach (var (name, view) in expected)
            view.CopyFromCPU(Stream, (ReadOnlySpan<float>)state[name]);
        RefreshBf16Weights();
        _device.Synchronize();
    }

    private IEnumerable<(string Name, ArrayView<float> View)> ParameterViews()
    {
        foreach (var (name, offset, length) in _mlp.Tensors()) yield return (name, _t.Parameter(offset, length));
        yield return ("embedding", _t.Embedding.View.SubView(0, Layout.TotalParameters));
    }

    private IEnumerable<(string Name, ArrayView<float> View)> AccumulatorViews()
    {
        foreach (var (name, offset, length) in _mlp.Tensors()) yield return ("adagrad." + name, _t.DenseAccumulators!.View.SubView(offset, length));
        yield return ("adagrad.embedding", _t.EmbeddingAccumulators!.View.SubView(0, Layout.TotalParameters));
    }

    /// <summary>
    /// Copies a device view into a new array. Through ILGPU's span overload, which pins the array while the copy
    /// runs: its CopyToCPU(ref T, length) takes the raw address without pinning, so a garbage collection that moves
    /// the young array in between sends the copy to its old address (a download of zeros, a corrupted heap).
    /// </summary>
    private float[] Download(ArrayView<float> view)
    {
        var values = new float[view.Length];
        view.CopyToCPU(Stream, values.AsSpan());
        _device.Synchronize();
        return values;
    }
}
