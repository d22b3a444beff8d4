using ILGPU;
using ILGPU.Runtime;
using RobeGen.Backends;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

/// <summary>
/// Every device buffer of one model, sized once for ModelOptions.MaxBatchSize: parameters, gradients, optimizer
/// state, activations kept for the backward pass, and scratch. Names are the ones an out-of-memory error reports.
/// </summary>
internal sealed class DeviceTensors
{
    public DeviceTensors(DeviceMemory memory, EmbeddingLayout layout, MlpPlan mlp, InteractionShape interaction, ModelOptions options)
    {
        long b = options.MaxBatchSize;
        int tables = layout.TableCount, d = layout.Dim, n = interaction.Vectors;
        bool adagrad = options.Optimizer == OptimizerKind.Adagrad;

        DenseParameters = memory.Allocate<float>("mlp parameters", mlp.ParameterCount);
        DenseGradients = memory.Allocate<float>("mlp gradients", mlp.ParameterCount);
        DenseAccumulators = adagrad ? memory.Allocate<float>("adagrad mlp state", mlp.ParameterCount) : null;
        Embedding = memory.Allocate<float>("embedding", layout.TotalParameters);
        _memory = memory;
        _embeddingFloats = layout.TotalParameters;
        EmbeddingAccumulators = adagrad ? memory.Allocate<float>("adagrad.embedding", layout.TotalParameters) : null;

        BottomOutputs = mlp.Bottom.Select(l => memory.Allocate<float>($"{l.Name} output", b * l.FanOut)).ToArray();
        TopOutputs = mlp.Top.Select(l => memory.Allocate<float>($"{l.Name} output", b * l.FanOut)).ToArray();
        Embeddings = memory.Allocate<float>("gathered embeddings", b * tables * d);
        BlockStarts = memory.Allocate<long>("embedding block starts", b * tables * layout.MaxBlocks);
        Vectors = memory.Allocate<float>("interaction vectors", b * n * d);
        Dots = memory.Allocate<float>("interaction dots", b * n * n);
        TopInput = memory.Allocate<float>("top MLP input", b * interaction.OutputWidth);
        PairRow = memory.Allocate<int>("interaction pair rows", interaction.Pairs);
        PairCol = memory.Allocate<int>("interaction pair columns", interaction.Pairs);

        Losses = memory.Allocate<float>("per-sample losses", b);
        LossScalars = memory.Allocate<float>("loss", 2);
        GradLogits = memory.Allocate<float>("logit gradient", b);
        Probabilities = memory.Allocate<float>("probabilities", b);
        Ones = memory.Allocate<float>("ones", b);
        GradA = memory.Allocate<float>("activation gradient A", b * mlp.WidestActivation);
        GradB = memory.Allocate<float>("activation gradient B", b * mlp.WidestActivation);
        PairGradients = memory.Allocate<float>("interaction pair gradient", b * n * n);
        GradVectors = memory.Allocate<float>("interaction vector gradient", b * n * d);
        GradBottomOutput = memory.Allocate<float>("bottom output gradient", b * d);
        GradEmbeddings = memory.Allocate<float>("embedding output gradient", b * tables * d);

        TableStorage = memory.Allocate<int>("table storage", tables);
        TableRows = memory.Allocate<long>("table rows", tables);
        TableQuotientRows = memory.Allocate<long>("table quotient rows", tables);
        TableBase = memory.Allocate<long>("table base", tables);
        TableTokenOffsets = memory.Allocate<ulong>("table token offsets", tables);
    }

    public MemoryBuffer1D<float, Stride1D.Dense> DenseParameters { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> DenseGradients { get; }
    public MemoryBuffer1D<float, Stride1D.Dense>? DenseAccumulators { get; }
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

    public MemoryBuffer1D<float, Stride1D.Dense>[] BottomOutputs { get; }
    public MemoryBuffer1D<float, Stride1D.Dense>[] TopOutputs { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> Logits => TopOutputs[^1];
    public MemoryBuffer1D<float, Stride1D.Dense> BottomOutput => BottomOutputs[^1];
    public MemoryBuffer1D<float, Stride1D.Dense> Embeddings { get; }
    public MemoryBuffer1D<long, Stride1D.Dense> BlockStarts { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> Vectors { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> Dots { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> TopInput { get; }
    public MemoryBuffer1D<int, Stride1D.Dense> PairRow { get; }
    public MemoryBuffer1D<int, Stride1D.Dense> PairCol { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> Losses { get; }
    /// <summary>[0] the last step's mean loss, [1] the running sum of step losses since the last read.</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> LossScalars { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> GradLogits { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> Probabilities { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> Ones { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> GradA { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> GradB { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> PairGradients { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> GradVectors { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> GradBottomOutput { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> GradEmbeddings { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> TableStorage { get; }
    public MemoryBuffer1D<long, Stride1D.Dense> TableRows { get; }
    public MemoryBuffer1D<long, Stride1D.Dense> TableQuotientRows { get; }
    public MemoryBuffer1D<long, Stride1D.Dense> TableBase { get; }
    public MemoryBuffer1D<ulong, Stride1D.Dense> TableTokenOffsets { get; }

    public GpuTableViews TableViews => new(TableStorage.View, TableRows.View, TableQuotientRows.View, TableBase.View, TableTokenOffsets.View);

    public ArrayView<float> Weight(LinearLayerPlan layer) => DenseParameters.View.SubView(layer.WeightOffset, layer.WeightLength);
    public ArrayView<float> Bias(LinearLayerPlan layer) => DenseParameters.View.SubView(layer.BiasOffset, layer.FanOut);
    public ArrayView<float> WeightGradient(LinearLayerPlan layer) => DenseGradients.View.SubView(layer.WeightOffset, layer.WeightLength);
    public ArrayView<float> BiasGradient(LinearLayerPlan layer) => DenseGradients.View.SubView(layer.BiasOffset, layer.FanOut);
}
