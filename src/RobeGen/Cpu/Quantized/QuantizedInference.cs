using RobeGen.Cpu.Layers;
using RobeGen.Cpu.Threading;

namespace RobeGen.Cpu.Quantized;

/// <summary>
/// The Int8 forward pass of a model's MLP layers (<see cref="Backends.Precision.Int8"/>): each layer with at
/// least <see cref="MinInputs"/> inputs (not the logit layer) quantizes its input batch (per row and input group),
/// multiplies in integers and writes FP32 outputs into the layer's usual buffer, so everything between the layers
/// (interaction, the FP32 layers) is unchanged. Weights are quantized once per version of the parameters; a batch allocates nothing.
/// </summary>
internal sealed class QuantizedInference : IDisposable
{
    /// <summary>Narrower layers (the first bottom layer: 13 dense features) stay FP32: they are a few percent of the
    /// work, and 7-bit weights would blur the raw features that every later layer sees.</summary>
    public const int MinInputs = 32;

    private readonly WorkerPool _pool;
    private readonly IReadOnlyList<LinearLayer> _layers;
    private readonly QuantizedWeights?[] _weights;
    private readonly InputGroups?[] _groups;
    private readonly QuantizedActivations _activations;
    private readonly Int8Gemm _gemm;

    /// <param name="inputGroups">Per layer: where its inputs split into separately scaled groups (null: one group).</param>
    public QuantizedInference(WorkerPool pool, IReadOnlyList<LinearLayer> layers, IReadOnlyList<InputGroups?> inputGroups, int maxBatch,
        Int8MicroKernel? kernel = null)
    {
        _pool = pool;
        _layers = layers;
        _groups = layers.Select((l, i) => IsQuantized(l) ? inputGroups[i] ?? InputGroups.Single(l.Inputs) : null).ToArray();
        _weights = layers.Select((l, i) => _groups[i] is { } g ? new QuantizedWeights(l.Outputs, g) : null).ToArray();
        int widest = layers.Where(IsQuantized).Select(l => l.Inputs).DefaultIfEmpty(1).Max();
        int mostGroups = _groups.Select(g => g?.Count ?? 1).Max();
        _activations = new QuantizedActivations(maxBatch, widest, mostGroups);
        _gemm = new Int8Gemm(pool, kernel);
    }

    public string KernelName => _gemm.KernelName;

    public static bool IsQuantized(LinearLayer layer) => layer.Outputs > 1 && layer.Inputs >= MinInputs;

    /// <summary>Quantizes every quantized layer's weights unless they already hold <paramref name="weightsVersion"/>.</summary>
    public void Refresh(long weightsVersion)
    {
        for (int i = 0; i < _layers.Count; i++)
        {
            QuantizedWeights? w = _weights[i];
            if (w == null || w.Version == weightsVersion) continue;
            w.Quantize(_layers[i].Weight);
            w.Version = weightsVersion;
        }
    }

    /// <summary>
    /// Layer <paramref name="index"/>'s forward pass in Int8 when it is a quantized layer (returns true; the output is
    /// in the layer's Output), else false and the caller runs it in FP32.
    /// </summary>
    public bool TryForward(int index, ReadOnlySpan<float> input, int batch, long weightsVersion)
    {
        QuantizedWeights? w = _weights[index];
        if (w == null) return false;
        Refresh(weightsVersion);
        LinearLayer layer = _layers[index];
        _activations.Quantize(_pool, input, batch, _groups[index]!);
        _gemm.Multiply(_activations, w, layer.Bias, layer.HasRelu, layer.Output, layer.Outputs);
        return true;
    }

    public void Dispose()
    {
        foreach (QuantizedWeights? w in _weights) w?.Dispose();
        _activations.Dispose();
        _gemm.Dispose();
    }
}
