using RobeGen.Backends;
using RobeGen.Cpu.Gemm;
using RobeGen.Cpu.Layers;
using RobeGen.Cpu.Optimizers;
using RobeGen.Cpu.Quantized;
using RobeGen.Cpu.Threading;
using RobeGen.Data;
using RobeGen.Initialization;

namespace RobeGen.Cpu;

/// <summary>
/// The DLRM of docs/model-math.md on the CPU: SIMD GEMMs for the MLPs, the generated embedding loops for the ROBE
/// array, a worker pool of its own. Buffers are sized once for <see cref="ModelOptions.MaxBatchSize"/>, so a
/// training step allocates nothing. Every reduction runs in a fixed order, so the same seed and data give
/// bit-identical parameters. Not thread-safe: one caller at a time.
/// </summary>
internal sealed class CpuDlrmBackend : IDlrmBackend
{
    private readonly ModelOptions _options;
    private readonly IEmbeddingKernels _kernels;
    private readonly WorkerPool _pool;
    private readonly Sgemm _gemm;
    private readonly LinearLayer[] _bottom, _top;
    /// <summary>Bottom layers then top layers (ModelState order).</summary>
    private readonly LinearLayer[] _layers;
    private readonly FeatureInteraction _interaction;
    /// <summary>Forward + backward of a training batch (row blocks, then weight gradients).</summary>
    private readonly TrainingPass _pass;
    private readonly EmbeddingGather _gather;
    /// <summary>The Int8 MLP path of <see cref="Predict"/> (null unless <see cref="ModelOptions.Precision"/> asks for it).</summary>
    private readonly QuantizedInference? _quantized;

    private readonly float[] _embedding, _embeddingGrad, _embeddingAccumulator;
    private readonly float[][] _weightAccumulators, _biasAccumulators;
    /// <summary>Adagrad state of the interaction's parameters (DcnV2's cross layers), in their order.</summary>
    private readonly float[][] _interactionAccumulators;
    private readonly ParameterUpdate _update;

    // Activations of one batch.
    private readonly float[] _gathered, _gatheredGrad, _interactionOut, _interactionGrad;
    private readonly BlockStartBuffer _blockStarts;
    /// <summary>The bag offsets of the batch of the last <see cref="ComputeGradients"/> (null for a single-hot batch): the
    /// optimizer step walks its ids' records.</summary>
    private int[]? _lastBagOffsets;
    /// <summary>Counts changes of the parameters (optimizer steps, imports), so layers know when their packed weights are stale.</summary>
    private long _weightsVersion;
    private bool _disposed;

    public CpuDlrmBackend(IDlrmDefinition definition, ModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _options = options ?? new ModelOptions();
        if (_options.MaxBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.MaxBatchSize, "MaxBatchSize must be positive.");
        Declaration = definition.Declaration;
        Layout = EmbeddingLayout.FromDeclaration(Declaration, _options.Embedding);
        _kernels = EmbeddingKernelSelector.Cpu(definition, Layout);

        int maxBatch = _options.MaxBatchSize;
        int dim = Declaration.EmbeddingDim, tables = Declaration.TableCount;
        _pool = new WorkerPool(_options.Threads);
        _gemm = new Sgemm(_pool);
        _bottom = ModelTensors.BottomShapes(Declaration).Select(s => new LinearLayer(s.In, s.Out, relu: true, maxBatch)).ToArray();
        var topShapes = ModelTensors.TopShapes(Declaration);
        _top = topShapes.Select((s, i) => new LinearLayer(s.In, s.Out, relu: i < topShapes.Count - 1, maxBatch)).ToArray();
        _layers = [.. _bottom, .. _top];
        _interaction = FeatureInteraction.Create(Declaration, _pool, maxBatch);
        _gather = new EmbeddingGather(_kernels, Layout, _pool);
        _quantized = _options.Precision switch
        {
            Precision.Fp32 => null,
            Precision.Int8 => new QuantizedInference(_pool, _layers, InteractionGroups(), maxBatch),
            Precision.Tf32 or Precision.Bf16 => throw new NotSupportedException(
                $"{_options.Precision} runs on CUDA only (tensor cores); the CPU backend computes in FP32, or Int8 for predictions."),
            _ => throw new ArgumentOutOfRangeException(nameof(options), _options.Precision, "Unknown precision."),
        };

        IReadOnlyList<TensorSpec> parameters = ModelTensors.Parameters(Layout);
        if (parameters[^1].Length > Array.MaxLength)
            throw new InsufficientMemoryException(
                $"{Declaration.Name}: the embedding has {parameters[^1].Length:N0} floats; the CPU backend holds it in one array of at most " +
                $"{Array.MaxLength:N0}. Use fewer ROBE slots or rows, or the CUDA backend (DeviceKind.Cuda), which holds any size its memory takes.");
        _embedding = new float[parameters[^1].Length];
        _embeddingGrad = new float[_embedding.Length];
        bool adagrad = _options.Optimizer == OptimizerKind.Adagrad;
        _weightAccumulators = _layers.Select(l => adagrad ? new float[l.Weight.Length] : []).ToArray();
        _biasAccumulators = _layers.Select(l => adagrad ? new float[l.Bias.Length] : []).ToArray();
        _embeddingAccumulator = adagrad ? new float[_embedding.Length] : [];
        _interactionAccumulators = _interaction.Parameters.Select(p => adagrad ? new float[p.Weights.Length] : []).ToArray();
        var dense = _layers.SelectMany((l, i) => new[]
        {
            new DenseTensor(l.Weight, l.WeightGrad, _weightAccumulators[i]),
            new DenseTensor(l.Bias, l.BiasGrad, _biasAccumulators[i]),
        }).Concat(_interaction.Parameters.Select((p, i) => new DenseTensor(p.Weights, p.Grad, _interactionAccumulators[i]))).ToArray();
        _update = new ParameterUpdate(_pool, _options.Optimizer, Layout, dense, _embedding, _embeddingGrad, _embeddingAccumulator);

        _gathered = new float[checked(maxBatch * tables * dim)];
        _gatheredGrad = new float[_gathered.Length];
        _blockStarts = new BlockStartBuffer(checked((long)maxBatch * tables * Layout.MaxBlocks));
        _interactionOut = new float[checked(maxBatch * _interaction.Width)];
        _interactionGrad = new float[_interactionOut.Length];
        _pass = new TrainingPass(_pool, _bottom, _top, _interaction, _kernels, Layout, _embedding, _embeddingGrad, _blockStarts,
            _gathered, _gatheredGrad, _interactionOut, _interactionGrad);

        ImportState(ModelInitializer.Create(Layout, _options.Optimizer, _options.Seed));
    }

    /// <summary>Input groups of the Int8 layers: the top MLP's first layer reads [bottom MLP output, dot products],
    /// whose magnitudes differ too much to share one scale per row (on the built-in sample, one shared scale cost
    /// 0.0035 AUC, two groups 0.0007). The split needs dim to be a multiple of 4 (a whole quad); else one group.
    /// Cat splits the same way ([u, embeddings]); DcnV2's x_L mixes both in every coordinate, so one group.</summary>
    private InputGroups?[] InteractionGroups()
    {
        var groups = new InputGroups?[_layers.Length];
        int dim = Declaration.EmbeddingDim;
        if (Declaration.Interaction != InteractionKind.DcnV2 && dim % Int8MicroKernel.KStep == 0 && _interaction.Width > dim)
            groups[_bottom.Length] = new InputGroups(_interaction.Width, dim);
        return groups;
    }

    public string DeviceName => _quantized == null
        ? $"CPU ({_pool.Threads} threads, {_gemm.KernelName} GEMM)"
        : $"CPU ({_pool.Threads} threads, {_gemm.KernelName} GEMM, {_quantized.KernelName} inference)";
    public ModelDeclaration Declaration { get; }
    public EmbeddingLayout Layout { get; }
    /// <summary>The embedding loops this backend runs (EmbeddingKernelSelector's choice for <see cref="Layout"/>).</summary>
    internal IEmbeddingKernels EmbeddingKernels => _kernels;

    public float TrainStep(Batch batch, float learningRate)
    {
        float loss = ComputeGradients(batch);
        ApplyUpdate(batch.Count, learningRate);
        return loss;
    }

    public void Predict(Batch batch, Span<float> probabilities)
    {
        CheckBatch(batch);
        if (probabilities.Length < batch.Count) throw new ArgumentException($"Need room for {batch.Count} probabilities.", nameof(probabilities));
        Forward(batch, quantized: _quantized != null);
        ReadOnlySpan<float> logits = _top[^1].Output.AsSpan(0, batch.Count);
        for (int i = 0; i < logits.Length; i++) probabilities[i] = BinaryCrossEntropy.Sigmoid(logits[i]);
    }

    /// <summary>Forward and backward: fills every gradient (the embedding's in <see cref="EmbeddingGrad"/>) and returns the mean loss.</summary>
    internal float ComputeGradients(Batch batch)
    {
        CheckBatch(batch);
        _lastBagOffsets = batch.IsMultiHot ? batch.BagOffsets : null;
        return _pass.Run(batch, _weightsVersion);
    }

    /// <summary>One optimizer step from the gradients of the last <see cref="ComputeGradients"/> over <paramref name="batchCount"/> rows.</summary>
    internal void ApplyUpdate(int batchCount, float learningRate)
    {
        _weightsVersion++;
        _update.Apply(_blockStarts.Array, batchCount, learningRate, _lastBagOffsets);
    }

    /// <summary>Bytes allocated by the worker threads so far (see <see cref="WorkerPool.WorkerAllocatedBytes"/>).</summary>
    internal long WorkerAllocatedBytes => _pool.WorkerAllocatedBytes;

    /// <summary>dL/d(embedding array) of the last <see cref="ComputeGradients"/> (zero again after <see cref="ApplyUpdate"/>).</summary>
    internal ReadOnlySpan<float> EmbeddingGrad => _embeddingGrad;

    /// <summary>Gradients of every dense parameter, by ModelState name, after <see cref="ComputeGradients"/>.</summary>
    internal ReadOnlySpan<float> DenseGrad(string name)
    {
        for (int i = 0; i < _bottom.Length; i++)
        {
            if (name == ModelTensors.BottomWeight(i)) return _bottom[i].WeightGrad;
            if (name == ModelTensors.BottomBias(i)) return _bottom[i].BiasGrad;
        }
        for (int i = 0; i < _top.Length; i++)
        {
            if (name == ModelTensors.TopWeight(i)) return _top[i].WeightGrad;
            if (name == ModelTensors.TopBias(i)) return _top[i].BiasGrad;
        }
        foreach (InteractionTensor p in _interaction.Parameters)
            if (name == p.Name) return p.Grad;
        throw new KeyNotFoundException($"No dense parameter '{name}'.");
    }

    /// <summary>The forward pass; <paramref name="quantized"/> runs the MLPs' quantized layers in Int8 (predictions only:
    /// training always takes the FP32 pass).</summary>
    private void Forward(Batch batch, bool quantized)
    {
        int n = batch.Count;
        ReadOnlySpan<float> input = batch.DenseSpan;
        for (int i = 0; i < _bottom.Length; i++)
            input = LayerForward(i, input, n, quantized);
        if (batch.IsMultiHot)
            _gather.RunBags(_embedding, batch.BagOffsets, batch.BagIds, n, _blockStarts.Ensure((long)batch.IdCount * Layout.MaxBlocks), _gathered);
        else
            _gather.Run(_embedding, batch.Tokens, n, _blockStarts.Array, _gathered);
        _interaction.Forward(_bottom[^1].Output, _gathered, _interactionOut, n, _gemm);
        input = _interactionOut.AsSpan(0, n * _interaction.Width);
        for (int i = 0; i < _top.Length; i++)
            input = LayerForward(_bottom.Length + i, input, n, quantized);
    }

    /// <summary>Layer <paramref name="index"/> of <see cref="_layers"/> forward; returns its output rows.</summary>
    private ReadOnlySpan<float> LayerForward(int index, ReadOnlySpan<float> input, int n, bool quantized)
    {
        LinearLayer layer = _layers[index];
        if (!quantized || !_quantized!.TryForward(index, input, n, _weightsVersion))
            layer.Forward(_gemm, input, n, _weightsVersion);
        return layer.Output.AsSpan(0, n * layer.Outputs);
    }

    private void CheckBatch(Batch batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count < 1 || batch.Count > _options.MaxBatchSize)
            throw new ArgumentException($"Batch of {batch.Count} rows; this model takes 1 to {_options.MaxBatchSize} (ModelOptions.MaxBatchSize).", nameof(batch));
        if (batch.DenseFeatures != Declaration.DenseFeatures || batch.Tables != Declaration.TableCount)
            throw new ArgumentException(
                $"Batch has {batch.DenseFeatures} dense features and {batch.Tables} tables; {Declaration.Name} needs {Declaration.DenseFeatures} and {Declaration.TableCount}.",
                nameof(batch));
        BatchChecks.Hotness(batch, Declaration);
    }

    public ModelState ExportState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var state = new ModelState();
        foreach (var (name, tensor) in Tensors()) state.Add(name, (float[])tensor.Clone());
        return state;
    }

    public void ImportState(ModelState state)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(state);
        var tensors = Tensors().ToList();
        // Check everything before changing anything, so a bad state leaves the model as it was.
        foreach (var (name, tensor) in tensors)
        {
            if (!state.Contains(name)) throw new ArgumentException($"The state has no tensor '{name}'.", nameof(state));
            if (state.Chunked(name).Length != tensor.Length)
                throw new ArgumentException($"Tensor '{name}' has {state.Chunked(name).Length} values; this model needs {tensor.Length}.", nameof(state));
        }
        _weightsVersion++;
        foreach (var (name, tensor) in tensors) state.Chunked(name).CopyTo(tensor);
        Array.Clear(_embeddingGrad);
        // A loaded or swapped model quantizes its weights now, not in its first prediction.
        _quantized?.Refresh(_weightsVersion);
    }

    /// <summary>The live tensors in ModelState order (names from <see cref="ModelTensors"/>).</summary>
    private IEnumerable<(string Name, float[] Tensor)> Tensors()
    {
        var parameters = new List<(string, float[])>();
        for (int i = 0; i < _bottom.Length; i++)
        {
            parameters.Add((ModelTensors.BottomWeight(i), _bottom[i].Weight));
            parameters.Add((ModelTensors.BottomBias(i), _bottom[i].Bias));
        }
        for (int i = 0; i < _top.Length; i++)
        {
            parameters.Add((ModelTensors.TopWeight(i), _top[i].Weight));
            parameters.Add((ModelTensors.TopBias(i), _top[i].Bias));
        }
        parameters.AddRange(_interaction.Parameters.Select(p => (p.Name, p.Weights)));
        parameters.Add((ModelTensors.EmbeddingName, _embedding));
        foreach (var p in parameters) yield return p;
        if (_options.Optimizer != OptimizerKind.Adagrad) yield break;

        int layers = _bottom.Length + _top.Length;
        for (int i = 0; i < layers; i++)
        {
            yield return (ModelTensors.AdagradPrefix + parameters[2 * i].Item1, _weightAccumulators[i]);
            yield return (ModelTensors.AdagradPrefix + parameters[2 * i + 1].Item1, _biasAccumulators[i]);
        }
        for (int i = 0; i < _interactionAccumulators.Length; i++)
            yield return (ModelTensors.AdagradPrefix + _interaction.Parameters[i].Name, _interactionAccumulators[i]);
        yield return (ModelTensors.AdagradPrefix + ModelTensors.EmbeddingName, _embeddingAccumulator);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _gemm.Dispose();
        _pass.Dispose();
        foreach (LinearLayer layer in _layers) layer.Dispose();
        _quantized?.Dispose();
        _interaction.Dispose();
        _pool.Dispose();
    }
}
