namespace RobeGen.Cuda;

/// <summary>One linear layer of an MLP and where its tensors sit in the flat dense-parameter buffer.</summary>
internal readonly record struct LinearLayerPlan(string Name, int FanIn, int FanOut, long WeightOffset, long BiasOffset, bool Relu)
{
    public long WeightLength => (long)FanIn * FanOut;
    public string WeightName => Name + ".weight";
    public string BiasName => Name + ".bias";
}

/// <summary>
/// Both MLPs of a declaration, in ModelState order (bottom layers, then top layers with the one-unit logit layer
/// last; weight then bias each), packed into one flat buffer so a single kernel updates every dense parameter.
/// </summary>
internal sealed class MlpPlan
{
    public MlpPlan(ModelDeclaration declaration)
    {
        var bottom = new List<LinearLayerPlan>();
        var top = new List<LinearLayerPlan>();
        long offset = 0;
        int fanIn = declaration.DenseFeatures;
        for (int i = 0; i < declaration.BottomMlp.Length; i++)
        {
            // DLRM puts a ReLU after every bottom layer, the last one included.
            bottom.Add(Layer($"bottom.{i}", fanIn, declaration.BottomMlp[i], relu: true, ref offset));
            fanIn = declaration.BottomMlp[i];
        }
        fanIn = declaration.TopInputWidth;
        for (int i = 0; i <= declaration.TopMlp.Length; i++)
        {
            bool logit = i == declaration.TopMlp.Length;
            int fanOut = logit ? 1 : declaration.TopMlp[i];
            top.Add(Layer($"top.{i}", fanIn, fanOut, relu: !logit, ref offset));
            fanIn = fanOut;
        }
        Bottom = bottom;
        Top = top;
        ParameterCount = offset;
        WidestActivation = new[] { declaration.DenseFeatures, declaration.TopInputWidth }
            .Concat(declaration.BottomMlp).Concat(declaration.TopMlp).Max();
    }

    public IReadOnlyList<LinearLayerPlan> Bottom { get; }
    public IReadOnlyList<LinearLayerPlan> Top { get; }
    public IEnumerable<LinearLayerPlan> All => Bottom.Concat(Top);
    /// <summary>Floats of all weights and biases.</summary>
    public long ParameterCount { get; }
    /// <summary>The widest layer input or output: sizes the two ping-pong gradient buffers.</summary>
    public int WidestActivation { get; }

    private static LinearLayerPlan Layer(string name, int fanIn, int fanOut, bool relu, ref long offset)
    {
        var plan = new LinearLayerPlan(name, fanIn, fanOut, offset, offset + (long)fanIn * fanOut, relu);
        offset += (long)fanIn * fanOut + fanOut;
        return plan;
    }
}
