using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

/// <summary>
/// One linear layer of an MLP and where its tensors sit: in the flat F32 parameter buffer (master weights) and, for
/// BF16 models, in the bf16 weight-copy buffer as [FanOut, PaddedFanIn] (inputs padded to a multiple of 8 columns,
/// as the tensor cores want).
/// </summary>
internal readonly record struct LinearLayerPlan(string Name, int FanIn, int FanOut, long WeightOffset, long BiasOffset, bool Relu, long Bf16WeightOffset,
    long Bf16BiasOffset)
{
    public long WeightLength => (long)FanIn * FanOut;
    public string WeightName => Name + ".weight";
    public string BiasName => Name + ".bias";
    /// <summary>Input columns of the layer's bf16 operands (FanIn rounded up to 8; the extra columns are zeros).</summary>
    public int PaddedFanIn => InteractionShape.PadTo8(FanIn);
    /// <summary>Row stride of the layer's output activations (FanOut rounded up to 8; every activation is stored so).</summary>
    public int OutputStride => InteractionShape.PadTo8(FanOut);
}

/// <summary>
/// Both MLPs of a declaration, in ModelState order (bottom layers, then top layers with the one-unit logit layer
/// last; weight then bias each), packed into one flat buffer so a single kernel updates every dense parameter. Every
/// tensor starts at a multiple of 64 floats (256 bytes, the alignment cuBLASLt's fastest kernels and epilogues
/// assume); the gaps hold zeros and stay zero under SGD and Adagrad.
/// </summary>
internal sealed class MlpPlan
{
    /// <summary>Alignment of every tensor in the flat buffers, in elements.</summary>
    public const int AlignmentElements = 64;

    public MlpPlan(ModelDeclaration declaration)
    {
        var bottom = new List<LinearLayerPlan>();
        var top = new List<LinearLayerPlan>();
        long offset = 0, bf16 = 0;
        int fanIn = declaration.DenseFeatures;
        for (int i = 0; i < declaration.BottomMlp.Length; i++)
        {
            // DLRM puts a ReLU after every bottom layer, the last one included.
            bottom.Add(Layer($"bottom.{i}", fanIn, declaration.BottomMlp[i], relu: true, ref offset, ref bf16));
            fanIn = declaration.BottomMlp[i];
        }
        fanIn = declaration.TopInputWidth;
        for (int i = 0; i <= declaration.TopMlp.Length; i++)
        {
            bool logit = i == declaration.TopMlp.Length;
            int fanOut = logit ? 1 : declaration.TopMlp[i];
            top.Add(Layer($"top.{i}", fanIn, fanOut, relu: !logit, ref offset, ref bf16));
            fanIn = fanOut;
        }
        Bottom = bottom;
        Top = top;
        ParameterCount = offset;
        Bf16WeightCount = bf16;
        WidestActivation = new[] { declaration.DenseFeatures, declaration.TopInputWidth }
            .Concat(declaration.BottomMlp).Concat(declaration.TopMlp).Select(InteractionShape.PadTo8).Max();
    }

    public IReadOnlyList<LinearLayerPlan> Bottom { get; }
    public IReadOnlyList<LinearLayerPlan> Top { get; }
    public IEnumerable<LinearLayerPlan> All => Bottom.Concat(Top);
    /// <summary>The top MLP's hidden layers (every top layer but the one-unit logit layer).</summary>
    public IEnumerable<LinearLayerPlan> TopHidden => Top.Take(Top.Count - 1);
    public LinearLayerPlan Logit => Top[^1];
    /// <summary>Floats of the flat parameter buffer: all weights and biases, and the alignment gaps.</summary>
    public long ParameterCount { get; }
    /// <summary>Elements of the bf16 copy buffer: weights and biases of every layer but the logit layer (whose dot product runs in F32).</summary>
    public long Bf16WeightCount { get; }
    /// <summary>The widest layer input or output, padded to 8: sizes the two ping-pong gradient buffers.</summary>
    public int WidestActivation { get; }

    /// <summary>Where each layer's bf16 weight and bias copies come from (the table of <see cref="PrecisionKernels.CastWeights"/>; a bias is
    /// a one-row "weight").</summary>
    public Bf16WeightSlot[] Bf16Slots() =>
        All.Where(l => l != Logit).SelectMany(l => new[]
        {
            new Bf16WeightSlot(l.Bf16WeightOffset, l.WeightOffset, l.FanOut, l.FanIn, l.PaddedFanIn),
            new Bf16WeightSlot(l.Bf16BiasOffset, l.BiasOffset, 1, l.FanOut, l.FanOut),
        }).ToArray();

    private static LinearLayerPlan Layer(string name, int fanIn, int fanOut, bool relu, ref long offset, ref long bf16)
    {
        long weight = offset;
        long bias = Align(weight + (long)fanIn * fanOut);
        offset = Align(bias + fanOut);
        long bf16Weight = relu ? bf16 : -1, bf16Bias = -1;
        if (relu)
        {
            bf16Bias = Align(bf16 + (long)fanOut * InteractionShape.PadTo8(fanIn));
            bf16 = Align(bf16Bias + fanOut);
        }
        return new LinearLayerPlan(name, fanIn, fanOut, weight, bias, relu, bf16Weight, bf16Bias);
    }

    private static long Align(long elements) => (elements + AlignmentElements - 1) / AlignmentElements * AlignmentElements;
}
