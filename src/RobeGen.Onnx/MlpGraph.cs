using RobeGen.Backends;

namespace RobeGen.Onnx;

/// <summary>
/// The MLPs as Gemm nodes (y = x W^T + b, W stored [out, in] as in <see cref="ModelState"/>), each followed by a ReLU
/// except the top MLP's one-unit logit layer.
/// </summary>
internal static class MlpGraph
{
    /// <summary>The bottom MLP over the transformed dense features: [batch, dense] to [batch, d].</summary>
    public static string Bottom(OnnxGraph g, ModelDeclaration declaration, ModelState state, string dense)
    {
        int fanIn = declaration.DenseFeatures;
        string x = dense;
        for (int i = 0; i < declaration.BottomMlp.Length; i++)
        {
            x = Layer(g, state, $"bottom.{i}", x, fanIn, declaration.BottomMlp[i], relu: true);
            fanIn = declaration.BottomMlp[i];
        }
        return x;
    }

    /// <summary>The top MLP over the interaction's output: [batch, top input] to the logits [batch, 1].</summary>
    public static string Top(OnnxGraph g, ModelDeclaration declaration, ModelState state, string interaction)
    {
        int fanIn = declaration.TopInputWidth;
        string x = interaction;
        for (int i = 0; i <= declaration.TopMlp.Length; i++)
        {
            bool logit = i == declaration.TopMlp.Length;
            int fanOut = logit ? 1 : declaration.TopMlp[i];
            x = Layer(g, state, $"top.{i}", x, fanIn, fanOut, relu: !logit);
            fanIn = fanOut;
        }
        return x;
    }

    private static string Layer(OnnxGraph g, ModelState state, string name, string x, int fanIn, int fanOut, bool relu)
    {
        float[] weight = state[name + ".weight"], bias = state[name + ".bias"];
        if (weight.Length != (long)fanIn * fanOut || bias.Length != fanOut)
            throw new OnnxExportException($"Layer {name} holds {weight.Length} weights and {bias.Length} biases; the declaration needs {fanOut} x {fanIn} and {fanOut}.");
        string w = g.Floats(name + ".weight", weight, fanOut, fanIn);
        string b = g.Floats(name + ".bias", bias, fanOut);
        string y = g.Node("Gemm", name, [x, w, b], n => n.Attribute.Add(OnnxGraph.Int("transB", 1)));
        return relu ? g.Node("Relu", name + "_relu", y) : y;
    }
}
