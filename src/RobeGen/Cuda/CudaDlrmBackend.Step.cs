using ILGPU;
using ILGPU.Runtime;
using RobeGen.Backends;
using RobeGen.Cuda.Blas;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

// The phases of a step, each only queued on the stream (docs/model-math.md has the math). One code path for every
// precision: activations are F32 or bf16 tensors (ActivationBuffer), every GEMM goes through IGpuGemm.Matmul with the
// bias and ReLU fused into its epilogue, and BF16 models read bf16 copies of the F32 master weights.
internal sealed partial class CudaDlrmBackend
{
    private AcceleratorStream Stream => _device.Stream;
    private bool Bf16 => _options.Precision == Precision.Bf16;
    private bool Tf32 => _options.Precision == Precision.Tf32;

    private void InitializeConstants()
    {
        var tables = GpuTableArrays.Of(Layout);
        _t.TableStorage.View.CopyFromCPU(Stream, tables.Storage);
        _t.TableRows.View.CopyFromCPU(Stream, tables.Rows);
        _t.TableQuotientRows.View.CopyFromCPU(Stream, tables.QuotientRows);
        _t.TableBase.View.CopyFromCPU(Stream, tables.TableBase);
        _t.TableTokenOffsets.View.CopyFromCPU(Stream, tables.TokenOffsets);
        _t.TablePooling.View.CopyFromCPU(Stream, tables.Pooling);
        if (_t.Bf16Slots is { } slots) slots.View.CopyFromCPU(Stream, _mlp.Bf16Slots());
        _t.LossScalars.View.MemSetToZero(Stream);
        _device.Synchronize();
    }

    private GpuEmbeddingArgs EmbeddingArgs(int rows) => GpuEmbeddingArgs.For(Layout, rows);

    /// <summary>The records of the last uploaded batch: one per cell, or one per id of a multi-hot batch (whose cells the
    /// uploader filled in; a single-hot batch never reads RecordCells, so any int view stands in).</summary>
    private EmbeddingCoordinateArgs CoordinateArgs(int rows) => new()
    {
        Batch = rows,
        Records = _uploader.Records,
        Bags = _uploader.HasBags ? 1 : 0,
        RecordCells = _uploader.HasBags ? _uploader.IdCells : _t.TablePooling.View,
        Tables = Layout.TableCount,
        Dim = Layout.Dim,
        BlockSize = Layout.BlockSize,
        MaxBlocks = Layout.MaxBlocks,
        RobeSlots = Layout.RobeSlots,
        Circular = Layout.Variant == RobeVariant.Circular ? 1 : 0,
    };

    /// <summary>Bottom MLP, embedding gather, interaction, top MLP: logits in <see cref="DeviceTensors.Logits"/> (and, for
    /// a <paramref name="prediction"/>, their sigmoid in <see cref="DeviceTensors.Probabilities"/>). A prediction has no
    /// backward pass, so its gather records no block starts.</summary>
    private void Forward(int rows, bool prediction = false)
    {
        BottomForward(rows);
        GatherEmbeddings(rows, forwardOnly: prediction);
        InteractionForward(rows);
        TopForward(rows, probabilities: prediction);
    }

    /// <summary>The bottom MLP's input: the uploaded F32 dense features, or (BF16) their padded bf16 rounding.</summary>
    private (DeviceMatrix Input, int Stride) DenseInput(int rows)
    {
        // BF16 models get their dense features rounded and padded by the uploader.
        return Bf16 ? (_uploader.DenseBf16, _uploader.PaddedDenseFeatures) : (_uploader.Dense, Declaration.DenseFeatures);
    }

    private void BottomForward(int rows)
    {
        var (input, stride) = DenseInput(rows);
        for (int i = 0; i < _mlp.Bottom.Count; i++)
        {
            LinearForward(_mlp.Bottom[i], rows, input, stride, _t.BottomOutputs[i]);
            input = _t.BottomOutputs[i].Matrix;
            stride = _mlp.Bottom[i].OutputStride;
        }
    }

    /// <summary>The embeddings [rows, T, d]: one lookup per cell, or each cell's bag pooled (multi-hot models). With
    /// <paramref name="forwardOnly"/> (no scatter follows) the block starts are not recorded: a multi-hot batch would
    /// otherwise write ceil(d / Z) of them per id.</summary>
    private void GatherEmbeddings(int rows, bool forwardOnly = false)
    {
        int extent = _embeddingKernels.Extent(rows, Layout.TableCount);
        GpuEmbeddingArgs args = EmbeddingArgs(rows);
        args.ForwardOnly = forwardOnly ? 1 : 0;
        if (_gatherBags is not null)
            _gatherBags(extent, args, _t.TableViews, _t.Embedding.View, _uploader.BagOffsets, _uploader.BagIds, _t.BlockStarts.View, _t.Embeddings.View);
        else
            _gather(extent, args, _t.TableViews, _t.Embedding.View, _uploader.Tokens, _t.BlockStarts.View, _t.Embeddings.View);
    }

    /// <summary>
    /// The top MLP's input from u and the gathered embeddings. Dot: R = [u, tril(V V^T), 0...] in one kernel. Cat: x0 =
    /// [u, E, 0...] (one copy kernel). DcnV2: x0 into the first cross layer's input, then the cross layers.
    /// </summary>
    private void InteractionForward(int rows)
    {
        switch (Declaration.Interaction)
        {
            case InteractionKind.Dot:
                _kernels.InteractionForward(Stream, _kernels.InteractionConfig(_interaction, rows, forward: true), _interaction, rows,
                    _t.BottomOutput.View, _t.Embeddings.View, _t.TopInput.View);
                break;
            case InteractionKind.Cat:
                _kernels.ConcatAssemble(Stream, rows * _concat.Stride, _concat, _t.BottomOutput.View, _t.Embeddings.View, _t.TopInput.View);
                break;
            default:
                _kernels.ConcatAssemble(Stream, rows * _concat.Stride, _concat, _t.BottomOutput.View, _t.Embeddings.View, _t.Cross!.X0.View);
                CrossForward(rows);
                break;
        }
    }

    /// <summary>
    /// x_{l+1} = x0 * y_l + x_l with y_l = U_l (V_l x_l) + b_l (low rank, through h_l) or W_l x_l + b_l: the products on the
    /// GEMM with the bias in its epilogue (y_l in the activation precision, the bias a copy of its type), the rest in one
    /// elementwise kernel, which sums in F32 into the F32 x_{l+1} and writes a BF16 model's bf16 copy of it; x_L lands in
    /// the top MLP's input.
    /// </summary>
    private void CrossForward(int rows)
    {
        var gemm = _device.Gemm;
        CrossTensors cross = _t.Cross!;
        int width = _concat.Width, stride = _concat.Stride, codes = cross.CodeStride, last = _mlp.Cross.Count - 1;
        for (int l = 0; l <= last; l++)
        {
            CrossLayerPlan layer = _mlp.Cross[l];
            DeviceMatrix x = cross.Operand(l), y = cross.Outputs[l].Matrix, bias = CrossBias(layer);
            var (first, firstStride) = CrossFirst(layer);
            if (layer.LowRank)
            {
                DeviceMatrix h = cross.Codes[l].Matrix;
                var (second, secondStride) = CrossSecond(layer);
                gemm.Matmul(false, true, rows, layer.Rank, width, 1f, x, stride, first, firstStride, 0f, h, codes, tf32: Tf32);
                gemm.Matmul(false, true, rows, width, layer.Rank, 1f, h, codes, second, secondStride, 0f, y, stride, GemmEpilogue.Bias, bias, Tf32);
            }
            else
            {
                gemm.Matmul(false, true, rows, width, width, 1f, x, stride, first, firstStride, 0f, y, stride, GemmEpilogue.Bias, bias, Tf32);
            }
            var (next, copy, writeCopy) = cross.CombineTarget(l, _t.TopInput.View);
            _kernels.CrossCombine(Stream, rows * width, _concat, cross.X0.View, cross.Outputs[l].View, cross.Skip(l), next, copy, writeCopy);
        }
    }

    /// <summary>The bias the cross layer's last GEMM adds: its bf16 copy for BF16 models (y is bf16), else the F32 master.</summary>
    private DeviceMatrix CrossBias(CrossLayerPlan layer) =>
        Bf16 ? _t.Bf16Copy(layer.BiasSlot) : _t.Parameter(layer.BiasOffset, layer.Width);

    /// <summary>V (low rank) or W as the cross layer's GEMMs read it: its bf16 copy [rows, PaddedWidth] for BF16 models, else the F32 master.</summary>
    private (DeviceMatrix Weight, int Stride) CrossFirst(CrossLayerPlan layer) =>
        Bf16 ? (_t.Bf16Copy(layer.FirstSlot), layer.PaddedWidth) : (_t.Parameter(layer.FirstOffset, layer.FirstLength), layer.Width);

    /// <summary>U as the low-rank cross layer's GEMMs read it: its bf16 copy [Width, PaddedRank] for BF16 models, else the F32 master.</summary>
    private (DeviceMatrix Weight, int Stride) CrossSecond(CrossLayerPlan layer) =>
        Bf16 ? (_t.Bf16Copy(layer.SecondSlot), layer.PaddedRank) : (_t.Parameter(layer.SecondOffset, layer.SecondLength), layer.Rank);

    private void TopForward(int rows, bool probabilities)
    {
        DeviceMatrix input = _t.TopInput.Matrix;
        int stride = _mlp.TopInputStride;
        int hidden = _t.TopOutputs.Length;
        for (int i = 0; i < hidden; i++)
        {
            LinearForward(_mlp.Top[i], rows, input, stride, _t.TopOutputs[i]);
            input = _t.TopOutputs[i].Matrix;
            stride = _mlp.Top[i].OutputStride;
        }
        LinearLayerPlan logit = _mlp.Logit;
        _kernels.LogitForward(Stream, _kernels.LogitConfig(rows), rows, logit.FanIn, stride, LogitInput.View, _t.Weight(logit), _t.Bias(logit), _t.Logits.View,
            probabilities ? 1 : 0, _t.Probabilities.View);
    }

    /// <summary>What the one-unit logit layer reads: the last hidden top output, or R when the top MLP has no hidden layer.</summary>
    private ActivationBuffer LogitInput => _t.TopOutputs.Length > 0 ? _t.TopOutputs[^1] : _t.TopInput;

    /// <summary>y = ReLU(x W^T + b), x [rows, FanIn] with row stride <paramref name="stride"/>; bias and ReLU in the GEMM's epilogue.</summary>
    private void LinearForward(LinearLayerPlan layer, int rows, DeviceMatrix x, int stride, ActivationBuffer y)
    {
        var (weight, weightStride) = WeightOperand(layer);
        _device.Gemm.Matmul(false, true, rows, layer.FanOut, layer.FanIn, 1f, x, stride, weight, weightStride,
            0f, y.Matrix, layer.OutputStride, GemmEpilogue.BiasRelu, Bf16 ? _t.Bf16Bias(layer) : _t.Bias(layer), Tf32);
    }

    /// <summary>The weight the GEMMs read: the bf16 copy [FanOut, PaddedFanIn] for BF16 models, else the F32 master [FanOut, FanIn].</summary>
    private (DeviceMatrix Weight, int Stride) WeightOperand(LinearLayerPlan layer) =>
        Bf16 ? (_t.Bf16Weight(layer), layer.PaddedFanIn) : (_t.Weight(layer), layer.FanIn);

    private void LossAndGradient(int rows)
    {
        _kernels.LossForward(Stream, rows, _t.Logits.View, _uploader.Labels, _t.Losses.View, _t.GradLogits.View, rows);
        _kernels.MeanReduce(Stream, _kernels.MeanReduceConfig, _t.Losses.View, rows, _t.LossScalars.View);
    }

    /// <summary>Gradients of every dense parameter (into the flat gradient buffer) and of the embedding array.</summary>
    private void Backward(int rows)
    {
        ActivationBuffer gradTopInput = BackwardTop(rows);
        InteractionBackward(rows, gradTopInput);
        BottomBackward(rows);
        _embeddingGradient.Accumulate(rows, EmbeddingArgs(rows), CoordinateArgs(rows));
    }

    /// <summary>
    /// SGD with atomic gradients, fused: the interaction's backward writes -lr * dL/dE and the scatter adds it straight
    /// into the embedding array, so no dense gradient buffer is filled, swept or held, and no update kernel runs. The
    /// same sum as w -= lr * sum(g), in another order of float additions (atomic mode fixes no order anyway).
    /// </summary>
    private void BackwardAndSgdFused(int rows, float learningRate)
    {
        ActivationBuffer gradTopInput = BackwardTop(rows);
        InteractionBackward(rows, gradTopInput, embeddingScale: -learningRate);
        BottomBackward(rows);
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

    /// <summary>The top MLP from dL/ds down to dL/dR; returns the ping-pong buffer holding dL/dR ([rows, OutputStride]).</summary>
    private ActivationBuffer BackwardTop(int rows)
    {
        LinearLayerPlan logit = _mlp.Logit;
        ActivationBuffer input = LogitInput;
        int inputStride = _t.TopOutputs.Length > 0 ? _mlp.Top[^2].OutputStride : _mlp.TopInputStride;
        // The logit layer: dh = g w (masked by h > 0 when h is a hidden layer's post-ReLU output), dw = sum_r g[r] h[r],
        // db = sum_r g[r].
        ActivationBuffer gradOut = _t.GradA, free = _t.GradB;
        _kernels.LogitInputGradient(Stream, rows * logit.FanIn, logit.FanIn, inputStride, _t.TopOutputs.Length > 0 ? 1 : 0,
            _t.GradLogits.View, _t.Weight(logit), input.View, gradOut.View);
        ColumnSum(rows, logit.FanIn, inputStride, input.View, weighted: true, _t.WeightGradient(logit));
        ColumnSum(rows, 1, 1, _t.StandIns.Of(_t.GradLogits.View), weighted: false, _t.BiasGradient(logit));

        for (int i = _t.TopOutputs.Length - 1; i >= 0; i--)
        {
            LinearLayerPlan layer = _mlp.Top[i];
            bool first = i == 0;
            ActivationBuffer x = first ? _t.TopInput : _t.TopOutputs[i - 1];
            int xStride = first ? _mlp.TopInputStride : _mlp.Top[i - 1].OutputStride;
            LinearBackward(layer, rows, x.Matrix, xStride, gradOut, free, xIsRelu: !first ? x : null);
            (gradOut, free) = (free, gradOut);
        }
        return gradOut;
    }

    /// <summary>
    /// du (masked by the bottom MLP's last ReLU) and dE (scaled by <paramref name="embeddingScale"/>) from dL/d(top input):
    /// Dot in one kernel; Cat splits dL/dx0; DcnV2 first takes the gradient back through the cross layers (and fills
    /// their parameter gradients). <paramref name="gradTopInput"/> may be overwritten.
    /// </summary>
    private void InteractionBackward(int rows, ActivationBuffer gradTopInput, float embeddingScale = 1f)
    {
        switch (Declaration.Interaction)
        {
            case InteractionKind.Dot:
                _kernels.InteractionBackward(Stream, _kernels.InteractionConfig(_interaction, rows, forward: false), _interaction, rows,
                    gradTopInput.View, _t.BottomOutput.View, _t.Embeddings.View, _t.GradBottomOutput.View, _t.GradEmbeddings.View, embeddingScale);
                break;
            case InteractionKind.Cat:
                _kernels.ConcatSplit(Stream, rows * _concat.Width, _concat, gradTopInput.View, _t.StandIns.Floats, 0, _t.BottomOutput.View,
                    _t.GradBottomOutput.View, _t.GradEmbeddings.View, embeddingScale);
                break;
            default:
                ArrayView<float> gradX0 = CrossBackward(rows, gradTopInput);
                _kernels.ConcatSplit(Stream, rows * _concat.Width, _concat, _t.StandIns.Of(gradX0), _t.Cross!.GradX0.View, 1, _t.BottomOutput.View,
                    _t.GradBottomOutput.View, _t.GradEmbeddings.View, embeddingScale);
                break;
        }
    }

    /// <summary>
    /// From g = dL/dx_L: per layer, last first, dy = x0 * g and the product path's dL/dx0 += y * g (into GradX0);
    /// dU = dy^T h, dV = dh^T x_l with dh = dy U (low rank) or dW = dy^T x_l; db = column sums of dy; then g += dh V or
    /// g += dy W. g is accumulated in F32: in place in <paramref name="gradTopInput"/> (FP32, TF32), or (BF16, whose dL/dR
    /// is bf16) in the cross input gradient the first elementwise kernel widens it into. Returns g, now dL/dx_0 but for
    /// GradX0, which the caller adds.
    /// </summary>
    private ArrayView<float> CrossBackward(int rows, ActivationBuffer gradTopInput)
    {
        var gemm = _device.Gemm;
        CrossTensors cross = _t.Cross!;
        int width = _concat.Width, stride = _concat.Stride, codes = cross.CodeStride, last = _mlp.Cross.Count - 1;
        ArrayView<float> g = cross.GradInput?.View ?? gradTopInput.F32;
        ActivationBuffer dy = cross.GradY;
        for (int l = last; l >= 0; l--)
        {
            CrossLayerPlan layer = _mlp.Cross[l];
            DeviceMatrix x = cross.Operand(l);
            _kernels.CrossBackward(Stream, rows * width, _concat, cross.X0.View, cross.Outputs[l].View, l == last ? gradTopInput.View : _t.StandIns.Of(g), g,
                dy.View, cross.GradX0.View, l == last ? 0 : 1);
            ColumnSum(rows, width, stride, dy.View, weighted: false, _t.Gradient(layer.BiasOffset, width));
            var (first, firstStride) = CrossFirst(layer);
            if (layer.LowRank)
            {
                DeviceMatrix h = cross.Codes[l].Matrix, dh = cross.GradCode.Matrix;
                var (u, uStride) = CrossSecond(layer);
                gemm.Matmul(true, false, width, layer.Rank, rows, 1f, dy.Matrix, stride, h, codes, 0f, _t.Gradient(layer.SecondOffset, layer.SecondLength), layer.Rank, tf32: Tf32);
                gemm.Matmul(false, false, rows, layer.Rank, width, 1f, dy.Matrix, stride, u, uStride, 0f, dh, codes, tf32: Tf32);
                gemm.Matmul(true, false, layer.Rank, width, rows, 1f, dh, codes, x, stride, 0f, _t.Gradient(layer.FirstOffset, layer.FirstLength), width, tf32: Tf32);
                gemm.Matmul(false, false, rows, width, layer.Rank, 1f, dh, codes, first, firstStride, 1f, g, stride, tf32: Tf32);
            }
            else
            {
                gemm.Matmul(true, false, width, width, rows, 1f, dy.Matrix, stride, x, stride, 0f, _t.Gradient(layer.FirstOffset, layer.FirstLength), width, tf32: Tf32);
                gemm.Matmul(false, false, rows, width, width, 1f, dy.Matrix, stride, first, firstStride, 1f, g, stride, tf32: Tf32);
            }
        }
        return g;
    }

    /// <summary>The bottom MLP from du (already masked by its last ReLU), ping-ponging through the two gradient buffers.</summary>
    private void BottomBackward(int rows)
    {
        ActivationBuffer gradOut = _t.GradBottomOutput, free = _t.GradA, other = _t.GradB;
        var (dense, denseStride) = DenseInput(rows);
        for (int i = _mlp.Bottom.Count - 1; i >= 0; i--)
        {
            LinearLayerPlan layer = _mlp.Bottom[i];
            bool first = i == 0;
            DeviceMatrix x = first ? dense : _t.BottomOutputs[i - 1].Matrix;
            int xStride = first ? denseStride : _mlp.Bottom[i - 1].OutputStride;
            LinearBackward(layer, rows, x, xStride, gradOut, first ? null : free, xIsRelu: first ? null : _t.BottomOutputs[i - 1]);
            gradOut = free;
            (free, other) = (other, free);
        }
    }

    /// <summary>
    /// dW = dY^T x (F32), db = column sums of dY (F32, deterministic), and (unless <paramref name="gradInput"/> is null)
    /// dx = dY W, masked by the ReLU that produced x when <paramref name="xIsRelu"/> is given. dY is the gradient after
    /// this layer's own ReLU, [rows, OutputStride].
    /// </summary>
    private void LinearBackward(LinearLayerPlan layer, int rows, DeviceMatrix x, int xStride, ActivationBuffer gradY,
        ActivationBuffer? gradInput, ActivationBuffer? xIsRelu)
    {
        var gemm = _device.Gemm;
        gemm.Matmul(true, false, layer.FanOut, layer.FanIn, rows, 1f, gradY.Matrix, layer.OutputStride, x, xStride,
            0f, _t.WeightGradient(layer), layer.FanIn, tf32: Tf32);
        ColumnSum(rows, layer.FanOut, layer.OutputStride, gradY.View, weighted: false, _t.BiasGradient(layer));
        if (gradInput is null) return;
        var (weight, weightStride) = WeightOperand(layer);
        gemm.Matmul(false, false, rows, layer.FanIn, layer.FanOut, 1f, gradY.Matrix, layer.OutputStride, weight, weightStride,
            0f, gradInput.Matrix, xStride, tf32: Tf32);
        if (xIsRelu is not null) _kernels.ReluMask(Stream, rows * xStride, gradInput.View, xIsRelu.View);
    }

    /// <summary>target[c] = sum over rows of (g[r] *) x[r, c]: two launches, fixed order (the same bits every run).</summary>
    private void ColumnSum(int rows, int cols, int stride, Activations x, bool weighted, ArrayView<float> target)
    {
        int chunks = MlpKernels.Chunks(rows);
        _kernels.ColumnSumPartials(Stream, new Index2D(cols, chunks), rows, cols, stride, x, _t.GradLogits.View, weighted ? 1 : 0, _t.ColumnPartials.View);
        _kernels.ColumnSumFinish(Stream, cols, chunks, cols, _t.ColumnPartials.View, target);
    }

    private void Update(int rows, float learningRate)
    {
        DenseUpdate(learningRate);
        EmbeddingUpdate(rows, learningRate);
    }

    /// <summary>Every MLP weight and bias in one launch over the flat buffers; then (BF16) the weights' bf16 copies.</summary>
    private void DenseUpdate(float learningRate)
    {
        int dense = (int)_mlp.ParameterCount;
        if (_options.Optimizer == OptimizerKind.Adagrad)
            _kernels.Adagrad(Stream, dense, _t.DenseParameters.View, _t.DenseGradients.View, _t.DenseAccumulators!.View, learningRate);
        else
            _kernels.Sgd(Stream, dense, _t.DenseParameters.View, _t.DenseGradients.View, learningRate);
        RefreshBf16Weights();
    }

    /// <summary>BF16 models: re-round every bf16 weight copy from its F32 master (after an update or an import).</summary>
    private void RefreshBf16Weights()
    {
        if (_t.Bf16Weights is not { } copies) return;
        _kernels.CastWeights(Stream, (int)copies.Length, _t.Bf16Slots!.View, _t.DenseParameters.View, copies.View);
    }

    /// <summary>Only the slots read in the batch, from the recorded block starts.</summary>
    private void EmbeddingUpdate(int rows, float learningRate)
    {
        var coordinates = CoordinateArgs(rows);
        if (coordinates.Coordinates == 0) return; // a multi-hot batch of empty bags read nothing
        if (_options.Optimizer == OptimizerKind.Adagrad)
            _kernels.EmbeddingAdagrad(Stream, coordinates.Coordinates, coordinates, _t.TableViews, _t.BlockStarts.View,
                _t.Embedding.View, _t.EmbeddingGradients.View, _t.EmbeddingAccumulators!.View, learningRate);
        else
            _kernels.EmbeddingSgd(Stream, coordinates.Coordinates, coordinates, _t.TableViews, _t.BlockStarts.View,
                _t.Embedding.View, _t.EmbeddingGradients.View, learningRate);
    }
}
