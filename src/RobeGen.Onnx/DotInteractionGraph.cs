namespace RobeGen.Onnx;

/// <summary>
/// DLRM's dot interaction (docs/model-math.md): vectors V_0 = u (the bottom MLP's output) and V_t = table t-1's
/// embedding; the output is [u, &lt;V_i, V_j&gt; for i = 1..T, j &lt; i], in that order. One batched MatMul forms every
/// dot product (V V^T, [batch, T+1, T+1]); a Gather on the flattened matrix keeps the lower triangle.
/// </summary>
internal static class DotInteractionGraph
{
    public static string Build(OnnxGraph g, ModelDeclaration declaration, string bottom, IReadOnlyList<string> embeddings)
    {
        int n = declaration.InteractionVectors;
        var vectors = new List<string> { g.Node("Unsqueeze", "interaction_u", bottom, g.Int64s([1])) };
        foreach (string e in embeddings) vectors.Add(g.Node("Unsqueeze", e + "_vector", e, g.Int64s([1])));
        string stacked = g.Node("Concat", "interaction_vectors", [.. vectors], node => node.Attribute.Add(OnnxGraph.Int("axis", 1)));
        string transposed = g.Node("Transpose", "interaction_vectors_t", [stacked], node => node.Attribute.Add(OnnxGraph.Ints("perm", 0, 2, 1)));
        string gram = g.Node("MatMul", "interaction_dots", stacked, transposed);
        string flat = g.Node("Reshape", "interaction_dots_flat", gram, g.Int64s([0, (long)n * n]));

        var pairs = new List<long>(declaration.InteractionPairs);
        for (int i = 1; i < n; i++)
            for (int j = 0; j < i; j++) pairs.Add((long)i * n + j);
        string lower = g.Node("Gather", "interaction_pairs", [flat, g.Int64s(pairs.ToArray())], node => node.Attribute.Add(OnnxGraph.Int("axis", 1)));
        return g.Node("Concat", "interaction", [bottom, lower], node => node.Attribute.Add(OnnxGraph.Int("axis", 1)));
    }
}
