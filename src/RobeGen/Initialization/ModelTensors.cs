namespace RobeGen.Initialization;

/// <summary>What a parameter tensor is, which decides how it is initialized.</summary>
internal enum TensorRole
{
    Weight,
    Bias,
    /// <summary>A DcnV2 cross layer's bias: zeros, as TorchRec's cross nets start it.</summary>
    CrossBias,
    Embedding,
}

/// <summary>One parameter tensor of a model: its ModelState name, length and (for MLP layers) fan-in and fan-out.</summary>
internal sealed record TensorSpec(string Name, long Length, TensorRole Role, int FanIn, int FanOut);

/// <summary>
/// The names, shapes and order of a model's tensors (docs/model-math.md "Tensors and names"): bottom layers, top
/// layers (weight then bias each, the logit layer last), the embedding array, then the optimizer state in the same
/// order. DcnV2 models list their cross layers between the top layers and the embedding. Every backend exports and
/// imports exactly this list.
/// </summary>
internal static class ModelTensors
{
    /// <summary>Prefix of the Adagrad accumulator of a parameter: "adagrad.bottom.0.weight".</summary>
    public const string AdagradPrefix = "adagrad.";
    public const string EmbeddingName = "embedding";

    public static string BottomWeight(int layer) => $"bottom.{layer}.weight";
    public static string BottomBias(int layer) => $"bottom.{layer}.bias";
    public static string TopWeight(int layer) => $"top.{layer}.weight";
    public static string TopBias(int layer) => $"top.{layer}.bias";
    /// <summary>Low-rank cross layer: V [r, D] (x_l to the rank-r code), U [D, r] (back to D).</summary>
    public static string CrossV(int layer) => $"cross.{layer}.v";
    public static string CrossU(int layer) => $"cross.{layer}.u";
    /// <summary>Full-rank cross layer: W [D, D].</summary>
    public static string CrossWeight(int layer) => $"cross.{layer}.weight";
    public static string CrossBias(int layer) => $"cross.{layer}.bias";

    /// <summary>
    /// The cross layers' tensors of a DcnV2 model in ModelState order (none for Dot and Cat): per layer V then U (low
    /// rank) or W (full rank), then the bias. FanIn/FanOut are those of the matrix as a linear map (V: D to r, U: r to D).
    /// </summary>
    public static IReadOnlyList<TensorSpec> CrossLayers(ModelDeclaration declaration)
    {
        var specs = new List<TensorSpec>();
        if (declaration.Interaction != InteractionKind.DcnV2) return specs;
        int width = declaration.ConcatWidth, rank = declaration.CrossRank;
        for (int l = 0; l < declaration.CrossLayers; l++)
        {
            if (rank > 0)
            {
                specs.Add(new TensorSpec(CrossV(l), checked(rank * width), TensorRole.Weight, width, rank));
                specs.Add(new TensorSpec(CrossU(l), checked(width * rank), TensorRole.Weight, rank, width));
            }
            else
            {
                specs.Add(new TensorSpec(CrossWeight(l), checked(width * width), TensorRole.Weight, width, width));
            }
            specs.Add(new TensorSpec(CrossBias(l), width, TensorRole.CrossBias, width, width));
        }
        return specs;
    }

    /// <summary>Input and output widths of the bottom layers, in order.</summary>
    public static IReadOnlyList<(int In, int Out)> BottomShapes(ModelDeclaration declaration)
    {
        var shapes = new List<(int, int)>();
        int fanIn = declaration.DenseFeatures;
        foreach (int width in declaration.BottomMlp) { shapes.Add((fanIn, width)); fanIn = width; }
        return shapes;
    }

    /// <summary>Input and output widths of the top layers, in order; the last is the one-unit logit layer.</summary>
    public static IReadOnlyList<(int In, int Out)> TopShapes(ModelDeclaration declaration)
    {
        var shapes = new List<(int, int)>();
        int fanIn = declaration.TopInputWidth;
        foreach (int width in declaration.TopMlp) { shapes.Add((fanIn, width)); fanIn = width; }
        shapes.Add((fanIn, 1));
        return shapes;
    }

    /// <summary>The parameter tensors in ModelState order (no optimizer state).</summary>
    public static IReadOnlyList<TensorSpec> Parameters(EmbeddingLayout layout)
    {
        ModelDeclaration declaration = layout.Declaration;
        var specs = new List<TensorSpec>();
        var bottom = BottomShapes(declaration);
        for (int i = 0; i < bottom.Count; i++) AddLayer(specs, BottomWeight(i), BottomBias(i), bottom[i]);
        var top = TopShapes(declaration);
        for (int i = 0; i < top.Count; i++) AddLayer(specs, TopWeight(i), TopBias(i), top[i]);
        specs.AddRange(CrossLayers(declaration));
        specs.Add(new TensorSpec(EmbeddingName, layout.TotalParameters, TensorRole.Embedding, 0, 0));
        return specs;
    }

    /// <summary>Every tensor in ModelState order: the parameters, then the optimizer state (Adagrad only).</summary>
    public static IReadOnlyList<TensorSpec> All(EmbeddingLayout layout, Backends.OptimizerKind optimizer)
    {
        var parameters = Parameters(layout);
        if (optimizer != Backends.OptimizerKind.Adagrad) return parameters;
        var all = new List<TensorSpec>(parameters);
        foreach (TensorSpec p in parameters) all.Add(p with { Name = AdagradPrefix + p.Name });
        return all;
    }

    private static void AddLayer(List<TensorSpec> specs, string weight, string bias, (int In, int Out) shape)
    {
        specs.Add(new TensorSpec(weight, checked(shape.In * shape.Out), TensorRole.Weight, shape.In, shape.Out));
        specs.Add(new TensorSpec(bias, shape.Out, TensorRole.Bias, shape.In, shape.Out));
    }
}
