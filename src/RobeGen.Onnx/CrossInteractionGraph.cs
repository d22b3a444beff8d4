using RobeGen.Backends;

namespace RobeGen.Onnx;

/// <summary>
/// The Cat and DcnV2 interactions (docs/model-math.md): x0 = Concat(u, E_1, .., E_T) along the features; Cat stops
/// there, DcnV2 applies its cross layers x_{l+1} = x0 * y_l + x_l with y_l = Gemm(Gemm(x_l, V_l^T), U_l^T) + b_l (low
/// rank) or Gemm(x_l, W_l^T) + b_l (full rank), the matrices stored [out, in] as in <see cref="ModelState"/>.
/// </summary>
internal static class CrossInteractionGraph
{
    public static string Build(OnnxGraph g, ModelDeclaration declaration, ModelState state, string bottom, IReadOnlyList<string> embeddings)
    {
        string x0 = g.Node("Concat", "interaction", [bottom, .. embeddings], node => node.Attribute.Add(OnnxGraph.Int("axis", 1)));
        if (declaration.Interaction != InteractionKind.DcnV2) return x0;

        int d = declaration.ConcatWidth, r = declaration.CrossRank;
        string x = x0;
        for (int l = 0; l < declaration.CrossLayers; l++)
        {
            string name = $"cross.{l}";
            string bias = g.Floats(name + ".bias", Tensor(state, name + ".bias", d), d);
            string y;
            if (r > 0)
            {
                string v = g.Floats(name + ".v", Tensor(state, name + ".v", (long)r * d), r, d);
                string u = g.Floats(name + ".u", Tensor(state, name + ".u", (long)d * r), d, r);
                string h = g.Node("Gemm", name + "_code", [x, v], node => node.Attribute.Add(OnnxGraph.Int("transB", 1)));
                y = g.Node("Gemm", name + "_y", [h, u, bias], node => node.Attribute.Add(OnnxGraph.Int("transB", 1)));
            }
            else
            {
                string w = g.Floats(name + ".weight", Tensor(state, name + ".weight", (long)d * d), d, d);
                y = g.Node("Gemm", name + "_y", [x, w, bias], node => node.Attribute.Add(OnnxGraph.Int("transB", 1)));
            }
            x = g.Node("Add", name, g.Node("Mul", name + "_cross", x0, y), x);
        }
        return x;
    }

    private static float[] Tensor(ModelState state, string name, long length)
    {
        float[] values = state[name];
        if (values.LongLength != length)
            throw new OnnxExportException($"Tensor {name} holds {values.Length} values; the declaration needs {length}.");
        return values;
    }
}
