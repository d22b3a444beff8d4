using ILGPU;
using ILGPU.Runtime;
using RobeGen.Backends;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

/// <summary>
/// Every device buffer of one model, sized once for ModelOptions.MaxBatchSize: parameters, gradients, optimizer
/// state, activations kept for the backward pass, and scratch. Names are the ones an out-of-memory error reports.
/// Activations are in the model's activation precision (<see cref="ActivationBuffer"/>); parameters, gradients,
/// optimizer state, embeddings, logits and losses are always F32. BF16 models add the bf16 weight copies and the
/// padded bf16 dense input.
/// </summary>
internal sealed class DeviceTensors
{
    public DeviceTensors(DeviceMemory memory, EmbeddingLayout layout, MlpPlan mlp, InteractionShape interaction, ModelOptions options)
    {
        long b = options.MaxBatchSize;
        int tables = layout.TableCount, d = layout.Dim;
        bool adagrad = options.Optimizer == OptimizerKind.Adagrad;
        bool bf16 = options.Precision == Precision.Bf16;
        _memory = memory;
        StandIns = new ActivationStandIns(memory);
        ActivationBuffer Activation(string name, long length) => new(memory, StandIns, name, length, bf16);

        // Zeroed: the alignment gaps between tensors must stay zero under the flat updates.
        DenseParameters = AllocateZeroed("mlp parameters", mlp.ParameterCount);
        DenseGradients = AllocateZeroed("mlp gradients", mlp.ParameterCount);
        DenseAccumulators = adagrad ? AllocateZeroed("adagrad mlp state", mlp.ParameterCount) : null;
        Bf16Weights = bf16 ? memory.Allocate<ushort>("bf16 weight copies", mlp.Bf16WeightCount) : null;
        Bf16Slots = bf16 ? memory.Allocate<Bf16WeightSlot>("bf16 weight slots", mlp.Bf16Slots().Length) : null;
        Embedding = memory.Allocate<float>("embedding", layout.TotalParameters);
        _embeddingFloats = layout.TotalParameters;
        EmbeddingAccumulators = adagrad ? memory.Allocate<float>("adagrad.embedding", layout.TotalParameters) : null;

        BottomOutputs = mlp.Bottom.Select(l => Activation($"{l.Name} output", b * l.OutputStride)).ToArray();
        TopOutputs = mlp.TopHidden.Select(l => Activation($"{l.Name} output", b * l.OutputStride)).ToArray();
        Logits = memory.Allocate<float>("logits", b);
        Embeddings = memory.Allocate<float>("gathered embeddings", b * tables * d);
        BlockStarts = new GrowableDeviceBuffer<long>(memory, "embedding block starts", b * tables * layout.MaxBlocks);
        TopInput = Activation("top MLP input", b * mlp.TopInputStride);
        // DcnV2: the cross layers' activations and backward scratch (the output x_L is TopInput).
        if (mlp.Cross.Count > 0) Cross = new CrossTensors(memory, mlp, b, Activation, bf16, StandIns);

        Losses = memory.Allocate<float>("per-sample losses", b);
        LossScalars = memory.Allocate<float>("loss", 2);
        GradLogits = memory.Allocate<float>("logit gradient", b);
        Probabilities = memory.Allocate<float>("probabilities", b);
        GradA = Activation("activation gradient A", b * mlp.WidestActivation);
        GradB = Activation("activation gradient B", b * mlp.WidestActivation);
        GradBottomOutput = Activation("bottom output gradient", b * interaction.UStride);
        GradEmbeddings = memory.Allocate<float>("embedding output gradient", b * tables * d);
        ColumnPartials = memory.Allocate<float>("column-sum partials", (long)MlpKernels.Chunks((int)b) * mlp.WidestActivation);

        TableStorage = memory.Allocate<int>("table storage", tables);
        TableRows = memory.Allocate<long>("table rows", tables);
        TableQuotientRows = memory.Allocate<long>("table quotient rows", tables);
        TableBase = memory.Allocate<long>("table base", tables);
        TableTokenOffsets = memory.Allocate<ulong>("table token offsets", tables);
        TablePooling = memory.Allocate<int>("table pooling", tables);
    }

    public ActivationStandIns StandIns { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> DenseParameters { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> DenseGradients { get; }
    public MemoryBuffer1D<float, Stride1D.Dense>? DenseAccumulators { get; }
    /// <summary>BF16 models: every layer's weight (but the logit layer's) rounded to bf16, [FanOut, PaddedFanIn] each.</summary>
    public MemoryBuffer1D<ushort, Stride1D.Dense>? Bf16Weights { get; }
    public MemoryBuffer1D<Bf16WeightSlot, Stride1D.Dense>? Bf16Slots { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> Embedding { get; }
    /// <summary>
    /// Dense, all zeros between steps: the scatter fills the read slots, the update takes them back to 0. Allocated
    /// (zeroed) on first use: the fused SGD step never needs it, so a model of Full tables holds its embedding once.
    /// </summary>
    public MemoryBuffer1D<float, Stride1D.Dense> EmbeddingGradients => _embeddingGradients ??= AllocateZeroed("embedding gradient", _embeddingFloats);

    private readonly DeviceMemory _memory;
    private readonly long _embeddingFloats;
    private MemoryBuffer1D<float, Stride1D.Dense>? _embeddingGradients;

    private MemoryBuffer1D<float, Stride1D.Dense> AllocateZeroed(string tensor, long length)
    {
        var buffer = _memory.Allocate<float>(tensor, length);
        buffer.MemSetToZero();
        buffer.Accelerator.Synchronize();
        return buffer;
    }
    public MemoryBuffer1D<float, Stride1D.Dense>? EmbeddingAccumulators { get; }

    public ActivationBuffer[] BottomOutputs { get; }
    /// <summary>Outputs of the top MLP's hidden layers (the logit layer writes <see cref="Logits"/>).</summary>
    public ActivationBuffer[] TopOutputs { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> Logits { get; }
    public ActivationBuffer BottomOutput => BottomOutputs[^1];
    public MemoryBuffer1D<float, Stride1D.Dense> Embeddings { get; }
    /// <summary>MaxBlocks records per cell, or per id of a multi-hot batch (grown for a batch with more ids than any before).</summary>
    public GrowableDeviceBuffer<long> BlockStarts { get; }
    /// <summary>The top MLP's input, [rows, MlpPlan.TopInputStride]: R = [u, z, zero padding] (Dot), x0 = [u, E, zero padding] (Cat),
    /// or the last cross layer's output x_L (DcnV2).</summary>
    public ActivationBuffer TopInput { get; }

    /// <summary>DcnV2's cross-layer buffers (null for Dot and Cat).</summary>
    public CrossTensors? Cross { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> Losses { get; }
    /// <summary>[0] the last step's mean loss, [1] the running sum of step losses since the last read.</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> LossScalars { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> GradLogits { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> Probabilities { get; }
    public ActivationBuffer GradA { get; }
    public ActivationBuffer GradB { get; }
    public ActivationBuffer GradBottomOutput { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> GradEmbeddings { get; }
    /// <summary>Stage-1 partials of the deterministic column sums (bias and logit-weight gradients).</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> ColumnPartials { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> TableStorage { get; }
    public MemoryBuffer1D<long, Stride1D.Dense> TableRows { get; }
    public MemoryBuffer1D<long, Stride1D.Dense> TableQuotientRows { get; }
    public MemoryBuffer1D<long, Stride1D.Dense> TableBase { get; }
    public MemoryBuffer1D<ulong, Stride1D.Dense> TableTokenOffsets { get; }
    /// <summary>Each table's pooling (Pooling as int), for the generic bag kernels.</summary>
    public MemoryBuffer1D<int, Stride1D.Dense> TablePooling { get; }

    public GpuTableViews TableViews => new(TableStorage.View, TableRows.View, TableQuotientRows.View, TableBase.View, TableTokenOffsets.View, TablePooling.View);

    public ArrayView<float> Weight(LinearLayerPlan layer) => DenseParameters.View.SubView(layer.WeightOffset, layer.WeightLength);
    public ArrayView<float> Bias(LinearLayerPlan layer) => DenseParameters.View.SubView(layer.BiasOffset, layer.FanOut);
    public ArrayView<float> WeightGradient(LinearLayerPlan layer) => DenseGradients.View.SubView(layer.WeightOffset, layer.WeightLength);
    public ArrayView<float> BiasGradient(LinearLayerPlan layer) => DenseGradients.View.SubView(layer.BiasOffset, layer.FanOut);
    /// <summary>The layer's bf16 bias copy [FanOut] (BF16 models: cuBLASLt adds a bias of the output's type).</summary>
    public ArrayView<ushort> Bf16Bias(LinearLayerPlan layer) => Bf16Weights!.View.SubView(layer.Bf16BiasOffset, layer.FanOut);
    public ArrayView<float> Parameter(long offset, long length) => DenseParameters.View.SubView(offset, length);
    public ArrayView<float> Gradient(long offset, long length) => DenseGradients.View.SubView(offset, length);
    /// <summary>The layer's bf16 weight copy [FanOut, PaddedFanIn] (BF16 models).</summary>
    public ArrayView<ushort> Bf16Weight(LinearLayerPlan layer) => Bf16Weights!.View.SubView(layer.Bf16WeightOffset, (long)layer.FanOut * layer.PaddedFanIn);
    /// <summary>A bf16 copy of <paramref name="slot"/>'s shape (BF16 models: a cross layer's V, U or W).</summary>
    public ArrayView<ushort> Bf16Copy(Bf16WeightSlot slot) => Bf16Weights!.View.SubView(slot.Bf16Offset, slot.Bf16Length);
}
