using ILGPU;
using ILGPU.Runtime;
using RobeGen.Backends;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

// The phases of a step, each only queued on the stream (docs/model-math.md has the math).
internal sealed partial class CudaDlrmBackend
{
    private AcceleratorStream Stream => _device.Stream;

    private void InitializeConstants()
    {
        var rows = new int[_interaction.Pairs];
        var cols = new int[_interaction.Pairs];
        for (int i = 1, k = 0; i < _interaction.Vectors; i++)
            for (int j = 0; j < i; j++, k++) (rows[k], cols[k]) = (i, j);
        if (rows.Length > 0)
        {
            _t.PairRow.View.CopyFromCPU(Stream, rows);
            _t.PairCol.View.CopyFromCPU(Stream, cols);
        }
        _t.TableStorage.View.CopyFromCPU(Stream, Layout.Storage.Select(s => (int)s).ToArray());
        _t.TableRows.View.CopyFromCPU(Stream, Layout.Rows.ToArray());
        _t.TableQuotientRows.View.CopyFromCPU(Stream, Layout.QuotientRows.ToArray());
        _t.TableBase.View.CopyFromCPU(Stream, Layout.TableBase.ToArray());
        _kernels.Fill(Stream, (int)_t.Ones.Length, _t.Ones.View, 1f);
        _t.LossScalars.View.MemSetToZero(Stream);
        _device.Synchronize();
    }

    private GpuEmbeddingArgs EmbeddingArgs(int rows) => GpuEmbeddingArgs.For(Layout, rows);

    private EmbeddingCoordinateArgs CoordinateArgs(int rows) => new()
    {
        Batch = rows,
        Tables = Layout.TableCount,
        Dim = Layout.Dim,
        BlockSize = Layout.BlockSize,
        MaxBlocks = Layout.MaxBlocks,
        RobeSlots = Layout.RobeSlots,
        Circular = Layout.Variant == RobeVariant.Circular ? 1 : 0,
    };

    /// <summary>Bottom MLP, embedding gather, interaction, top MLP: logits in <see cref="DeviceTensors.Logits"/>.</summary>
    private void Forward(int rows)
    {
        BottomForward(rows);
        GatherEmbeddings(rows);
        InteractionForward(rows);
        TopForward(rows);
    }

    private void BottomForward(int rows)
    {
        ArrayView<float> input = _uploader.Dense.View;
        for (int i = 0; i < _mlp.Bottom.Count; i++)
        {
            LinearForward(_mlp.Bottom[i], rows, input, _t.BottomOutputs[i].View);
            input = _t.BottomOutputs[i].View;
        }
    }

    private void GatherEmbeddings(int rows) =>
        _gather(_embeddingKernels.Extent(rows, Layout.TableCount), EmbeddingArgs(rows), _t.TableViews, _t.Embedding.View,
            _uploader.Tokens.View, _t.BlockStarts.View, _t.Embeddings.View);

    private void InteractionForward(int rows)
    {
        int n = _interaction.Vectors, d = Layout.Dim;
        _kernels.Assemble(Stream, rows * n * d, _interaction, _t.BottomOutput.View, _t.Embeddings.View, _t.Vectors.View);
        // Z[b] = V[b] V[b]^T, all n x n dots of each sample (the tril half is then picked out).
        _device.Gemm.GemmStridedBatched(false, true, n, n, d, 1f, _t.Vectors.View, d, (long)n * d,
            _t.Vectors.View, d, (long)n * d, 0f, _t.Dots.View, n, (long)n * n, rows);
        _kernels.ExtractPairs(Stream, rows * _interaction.OutputWidth, _interaction, _t.BottomOutput.View, _t.Dots.View,
            _t.PairRow.View, _t.PairCol.View, _t.TopInput.View);
    }

    private void TopForward(int rows)
    {
        ArrayView<float> input = _t.TopInput.View;
        for (int i = 0; i < _mlp.Top.Count; i++)
        {
            LinearForward(_mlp.Top[i], rows, input, _t.TopOutputs[i].View);
            input = _t.TopOutputs[i].View;
        }
    }

    /// <summary>y = x W^T + b (then ReLU), x [rows, in], W [out, in].</summary>
    private void LinearForward(LinearLayerPlan layer, int rows, ArrayView<float> x, ArrayView<float> y)
    {
        _device.Gemm.Gemm(false, true, rows, layer.FanOut, layer.FanIn, 1f, x, layer.FanIn, _t.Weight(layer), layer.FanIn,
            0f, y, layer.FanOut);
        _kernels.BiasActivation(Stream, rows * layer.FanOut, y, _t.Bias(layer), layer.FanOut, layer.Relu ? 1 : 0);
    }

    private void LossAndGradient(int rows)
    {
        _kernels.LossForward(Stream, rows, _t.Logits.View, _uploader.Labels.View, _t.Losses.View, _t.GradLogits.View, rows);
        _kernels.MeanReduce(Stream, _kernels.MeanReduceConfig, _t.Losses.View, rows, _t.LossScalars.View);
    }

    /// <summary>Gradients of every dense parameter (into the flat gradient buffer) and of the embedding array.</summary>
    private void Backward(int rows)
    {
        var (gradTopInput, free) = BackwardTop(rows);
        InteractionBackward(rows, gradTopInput);
        BottomBackward(rows, gradTopInput, free);
        _embeddingGradient.Accumulate(rows, EmbeddingArgs(rows), CoordinateArgs(rows));
    }

    /// <summary>
    /// SGD with atomic gradients, fused: the interaction's backward writes -lr * dL/dE and the scatter adds it straight
    /// into the embedding array, so no dense gradient buffer is filled, swept or held, and no update kernel runs. The
    /// same sum as w -= lr * sum(g), in another order of float additions (atomic mode fixes no order anyway).
    /// </summary>
    private void BackwardAndSgdFused(int rows, float learningRate)
    {
        var (gradTopInput, free) = BackwardTop(rows);
        InteractionBackward(rows, gradTopInput, embeddingScale: -learningRate);
        BottomBackward(rows, gradTopInput, free);
        ((AtomicEmbeddingGradient)_embeddingGradient).ScatterInto(rows, EmbeddingArgs(rows), CoordinateArgs(rows), _t.Embedding.View);
        DenseUpdate(learningRate);
    }

    /// <summary>
    /// Whether <see cref="BackwardAndSgdFused"/> applies: SGD, atomic (not deterministic) gradients, and no
    /// QuotientRemainder table. A QR gradient reads the factors (dQ = g * Rm, dRm = g * Q); fused into the weights, one
    /// thread's update could land before another thread reads that factor, so QR models take the unfused path (scatter
    /// into the gradient buffer with the step's weights untouched, then the sparse update).
    /// </summary>
    private bool FusesEmbeddingSgd => _options.Optimizer == OptimizerKind.Sgd && _embeddingGradient is AtomicEmbeddingGradient && !Layout.HasQuotientRemainder;

    /// <summary>The top MLP, from dL/ds down to dL/dR; returns the ping-pong buffer holding dL/dR and the free one.</summary>
    private (ArrayView<float> GradTopInput, ArrayView<float> Free) BackwardTop(int rows)
    {
        ArrayView<float> gradOut = _t.GradLogits.View;
        ArrayView<float> free = _t.GradA.View, other = _t.GradB.View;
        for (int i = _mlp.Top.Count - 1; i >= 0; i--)
        {
            var layer = _mlp.Top[i];
            ArrayView<float> input = i == 0 ? _t.TopInput.View : _t.TopOutputs[i - 1].View;
            LinearBackward(layer, rows, input, gradOut, free, inputIsRelu: i > 0);
            gradOut = free;
            (free, other) = (other, free);
        }
        return (gradOut, free);
    }

    /// <summary>dV[b] = S[b] V[b], S symmetric from the pair gradients; du adds R's pass-through of u; dE for the scatter.</summary>
    private void InteractionBackward(int rows, ArrayView<float> gradTopInput, float embeddingScale = 1f)
    {
        int n = _interaction.Vectors, d = Layout.Dim;
        _kernels.SymmetricPairGradient(Stream, rows * n * n, _interaction, gradTopInput, _t.PairGradients.View);
        _device.Gemm.GemmStridedBatched(false, false, n, d, n, 1f, _t.PairGradients.View, n, (long)n * n,
            _t.Vectors.View, d, (long)n * d, 0f, _t.GradVectors.View, d, (long)n * d, rows);
        _kernels.SplitGradient(Stream, rows * n * d, _interaction, _t.GradVectors.View, gradTopInput,
            _t.GradBottomOutput.View, _t.GradEmbeddings.View, embeddingScale);
    }

    /// <summary>
    /// The bottom MLP from du; it ping-pongs between <paramref name="free"/> and the buffer that held dL/dR (no longer
    /// needed once the interaction's backward has run).
    /// </summary>
    private void BottomBackward(int rows, ArrayView<float> gradTopInputBuffer, ArrayView<float> free)
    {
        ArrayView<float> other = gradTopInputBuffer;
        // The bottom MLP's last output went through a ReLU too.
        _kernels.ReluBackward(Stream, rows * Layout.Dim, _t.GradBottomOutput.View, _t.BottomOutput.View);
        ArrayView<float> gradOut = _t.GradBottomOutput.View;
        for (int i = _mlp.Bottom.Count - 1; i >= 0; i--)
        {
            var layer = _mlp.Bottom[i];
            ArrayView<float> input = i == 0 ? _uploader.Dense.View : _t.BottomOutputs[i - 1].View;
            LinearBackward(layer, rows, input, gradOut, i == 0 ? null : free, inputIsRelu: i > 0);
            gradOut = free;
            (free, other) = (other, free);
        }
    }

    /// <summary>
    /// dW = dY^T x, db = dY^T 1, and (unless <paramref name="gradInput"/> is null) dx = dY W, masked by the ReLU that
    /// produced x when <paramref name="inputIsRelu"/>. dY is the gradient after this layer's own ReLU.
    /// </summary>
    private void LinearBackward(LinearLayerPlan layer, int rows, ArrayView<float> x, ArrayView<float> gradY,
        ArrayView<float>? gradInput, bool inputIsRelu)
    {
        var gemm = _device.Gemm;
        gemm.Gemm(true, false, layer.FanOut, layer.FanIn, rows, 1f, gradY, layer.FanOut, x, layer.FanIn,
            0f, _t.WeightGradient(layer), layer.FanIn);
        gemm.Gemm(true, false, layer.FanOut, 1, rows, 1f, gradY, layer.FanOut, _t.Ones.View, 1,
            0f, _t.BiasGradient(layer), 1);
        if (gradInput is not { } gx) return;
        gemm.Gemm(false, false, rows, layer.FanIn, layer.FanOut, 1f, gradY, layer.FanOut, _t.Weight(layer), layer.FanIn,
            0f, gx, layer.FanIn);
        if (inputIsRelu) _kernels.ReluBackward(Stream, rows * layer.FanIn, gx, x);
    }

    private void Update(int rows, float learningRate)
    {
        DenseUpdate(learningRate);
        EmbeddingUpdate(rows, learningRate);
    }

    /// <summary>Every MLP weight and bias in one launch over the flat buffers.</summary>
    private void DenseUpdate(float learningRate)
    {
        int dense = (int)_mlp.ParameterCount;
        if (_options.Optimizer == OptimizerKind.Adagrad)
            _kernels.Adagrad(Stream, dense, _t.DenseParameters.View, _t.DenseGradients.View, _t.DenseAccumulators!.View, learningRate);
        else
            _kernels.Sgd(Stream, dense, _t.DenseParameters.View, _t.DenseGradients.View, learningRate);
    }

    /// <summary>Only the slots read in the batch, from the recorded block starts.</summary>
    private void EmbeddingUpdate(int rows, float learningRate)
    {
        var coordinates = CoordinateArgs(rows);
        if (_options.Optimizer == OptimizerKind.Adagrad)
            _kernels.EmbeddingAdagrad(Stream, coordinates.Coordinates, coordinates, _t.TableViews, _t.BlockStarts.View,
                _t.Embedding.View, _t.EmbeddingGradients.View, _t.EmbeddingAccumulators!.View, learningRate);
        else
            _kernels.EmbeddingSgd(Stream, coordinates.Coordinates, coordinates, _t.TableViews, _t.BlockStarts.View,
                _t.Embedding.View, _t.EmbeddingGradients.View, learningRate);
    }
}
