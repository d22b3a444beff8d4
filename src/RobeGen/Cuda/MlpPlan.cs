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
/// One DcnV2 cross layer's tensors in the flat parameter buffer: V [r, D] then U [D, r] (low rank) or W [D, D] (full
/// rank, <see cref="SecondLength"/> 0), then the bias [D] (docs/model-math.md; ModelTensors.CrossLayers has the order).
/// BF16 models also keep bf16 copies of V and U (or W) in the bf16 weight-copy buffer, rows padded to 8 columns like an
/// MLP weight's, and of the bias (the GEMM that adds it writes the bf16 y, and cuBLASLt adds a bias of the output's type).
/// </summary>
internal readonly record struct CrossLayerPlan(int Index, int Width, int Rank, long FirstOffset, long SecondOffset, long BiasOffset,
    long Bf16FirstOffset = -1, long Bf16SecondOffset = -1, long Bf16BiasOffset = -1)
{
    public bool LowRank => Rank > 0;
    /// <summary>Floats of V (low rank) or W (full rank).</summary>
    public long FirstLength => LowRank ? (long)Rank * Width : (long)Width * Width;
    public long SecondLength => LowRank ? (long)Width * Rank : 0;
    /// <summary>Row stride of the bf16 copy of V or W ([r or D rows, D] padded to 8 columns).</summary>
    public int PaddedWidth => InteractionShape.PadTo8(Width);
    /// <summary>Row stride of the bf16 copy of U ([Width, Rank] padded to 8 columns).</summary>
    public int PaddedRank => InteractionShape.PadTo8(Rank);
    /// <summary>Where the bf16 copy of V (or W) sits and comes from.</summary>
    public Bf16WeightSlot FirstSlot => new(Bf16FirstOffset, FirstOffset, LowRank ? Rank : Width, Width, PaddedWidth);
    /// <summary>Where the bf16 copy of U sits and comes from (low rank only).</summary>
    public Bf16WeightSlot SecondSlot => new(Bf16SecondOffset, SecondOffset, Width, Rank, PaddedRank);
    /// <summary>Where the bf16 copy of the bias sits and comes from (a one-row "weight").</summary>
    public Bf16WeightSlot BiasSlot => new(Bf16BiasOffset, BiasOffset, 1, Width, Width);
    public IEnumerable<Bf16WeightSlot> Bf16Slots() => LowRank ? [FirstSlot, SecondSlot, BiasSlot] : [FirstSlot, BiasSlot];
    public string FirstName => LowRank ? Initialization.ModelTensors.CrossV(Index) : Initialization.ModelTensors.CrossWeight(Index);
    public string SecondName => Initialization.ModelTensors.CrossU(Index);
    public string BiasName => Initialization.ModelTensors.CrossBias(Index);
}

/// <summary>
/// Both MLPs of a declaration (and a DcnV2 model's cross layers after them), in ModelState order (bottom layers, then top layers with the one-unit logit layer
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
        var cross = new List<CrossLayerPlan>();
        if (declaration.Interaction == InteractionKind.DcnV2)
        {
            int width = declaration.ConcatWidth, rank = declaration.CrossRank;
            int paddedWidth = InteractionShape.PadTo8(width), paddedRank = InteractionShape.PadTo8(rank);
            for (int l = 0; l < declaration.CrossLayers; l++)
            {
                long first = offset;
                long second = Align(first + (rank > 0 ? (long)rank * width : (long)width * width));
                long bias = rank > 0 ? Align(second + (long)width * rank) : second;
                offset = Align(bias + width);
                // The bf16 copies: V [r, D] then U [D, r] (or W [D, D]), each row padded to 8 columns, then the bias [D].
                long bf16First = bf16;
                long bf16Second = Align(bf16First + (long)(rank > 0 ? rank : width) * paddedWidth);
                long bf16Bias = rank > 0 ? Align(bf16Second + (long)width * paddedRank) : bf16Second;
                bf16 = Align(bf16Bias + width);
                cross.Add(new CrossLayerPlan(l, width, rank, first, rank > 0 ? second : -1, bias, bf16First, rank > 0 ? bf16Second : -1, bf16Bias));
            }
        }
        Bottom = bottom;
        Top = top;
        Cross = cross;
        TopInputWidth = declaration.TopInputWidth;
        TopInputStride = InteractionShape.PadTo8(declaration.TopInputWidth);
        ParameterCount = offset;
        Bf16WeightCount = bf16;
        WidestActivation = new[] { declaration.DenseFeatures, declaration.TopInputWidth }
            .Concat(declaration.BottomMlp).Concat(declaration.TopMlp).Select(InteractionShape.PadTo8).Max();
    }

    public IReadOnlyList<LinearLayerPlan> Bottom { get; }
    public IReadOnlyList<LinearLayerPlan> Top { get; }
    public IEnumerable<LinearLayerPlan> All => Bottom.Concat(Top);
    /// <summary>DcnV2's cross layers (none for Dot and Cat).</summary>
    public IReadOnlyList<CrossLayerPlan> Cross { get; }
    /// <summary>Width of the top MLP's input (the interaction's output) and its row stride in device memory (padded to 8).</summary>
    public int TopInputWidth { get; }
    public int TopInputStride { get; }

    /// <summary>Every dense tensor in ModelState order (docs/model-math.md): name, offset and length in the flat buffers.</summary>
    public IEnumerable<(string Name, long Offset, long Length)> Tensors()
    {
        foreach (var layer in All)
        {
            yield return (layer.WeightName, layer.WeightOffset, layer.WeightLength);
            yield return (layer.BiasName, layer.BiasOffset, layer.FanOut);
        }
        foreach (var cross in Cross)
        {
            yield return (cross.FirstName, cross.FirstOffset, cross.FirstLength);
            if (cross.LowRank) yield return (cross.SecondName, cross.SecondOffset, cross.SecondLength);
            yield return (cross.BiasName, cross.BiasOffset, cross.Width);
        }
    }
    /// <summary>The top MLP's hidden layers (every top layer but the one-unit logit layer).</summary>
    public IEnumerable<LinearLayerPlan> TopHidden => Top.Take(Top.Count - 1);
    public LinearLayerPlan Logit => Top[^1];
    /// <summary>Floats of the flat parameter buffer: all weights and biases, and the alignment gaps.</summary>
    public long ParameterCount { get; }
    /// <summary>Elements of the bf16 copy buffer: weights and biases of every layer but the logit layer (whose dot product runs in F32),
    /// and the cross layers' V and U (or W) and biases.</summary>
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
        }).Concat(Cross.SelectMany(c => c.Bf16Slots())).ToArray();

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
