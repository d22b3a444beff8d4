using RobeGen.Backends;
using RobeGen.Data;

namespace RobeGen.Lab.Equivalence;

/// <summary>
/// docs/model-math.md written the slow obvious way, in double precision, on the host: one training step's forward
/// and backward from a <see cref="ModelState"/>. The yardstick of the layer-by-layer equivalence checks. Embeddings
/// are read through the model's generated CPU kernels (<see cref="IEmbeddingKernels.Gather"/>) and gradients are sent
/// back slot by slot through <see cref="IEmbeddingKernels.SlotOf"/>, independently of any block-start bookkeeping
/// (QuotientRemainder tables, which have no single slot, by the product rule at the two rows the gather recorded).
/// </summary>
public static class ReferenceDlrm
{
    public static StepTrace TraceStep(ModelDeclaration declaration, EmbeddingLayout layout, IEmbeddingKernels embedding,
        ModelState state, Batch batch)
    {
        int rows = batch.Count, tables = declaration.TableCount, d = declaration.EmbeddingDim, n = tables + 1;
        var trace = new StepTrace();
        var layers = Layers(declaration);

        // Bottom MLP.
        var activations = new List<double[]>(); // input of every layer, in order (bottom..., top...)
        double[] x = batch.DenseSpan.ToArray().Select(v => (double)v).ToArray();
        int bottomCount = declaration.BottomMlp.Length;
        for (int i = 0; i < bottomCount; i++)
        {
            activations.Add(x);
            x = Linear(layers[i], state, x, rows);
            trace.Add($"{layers[i].Name} output", ToFloat(x));
        }
        double[] u = x;

        // Embeddings through the generated CPU gather.
        var embeddingsF = new float[rows * tables * d];
        var starts = new long[rows * tables * layout.MaxBlocks];
        embedding.Gather(layout, state["embedding"], batch.TokenSpan, rows, starts, embeddingsF);
        trace.Add("gathered embeddings", embeddingsF);

        // Interaction: R = [u, z_ij for i > j].
        int width = d + n * (n - 1) / 2;
        double Vector(int b, int v, int k) => v == 0 ? u[b * d + k] : embeddingsF[(b * tables + v - 1) * d + k];
        var r = new double[rows * width];
        for (int b = 0; b < rows; b++)
        {
            for (int k = 0; k < d; k++) r[b * width + k] = u[b * d + k];
            int pair = 0;
            for (int i = 1; i < n; i++)
                for (int j = 0; j < i; j++, pair++)
                {
                    double dot = 0;
                    for (int k = 0; k < d; k++) dot += Vector(b, i, k) * Vector(b, j, k);
                    r[b * width + d + pair] = dot;
                }
        }
        trace.Add("top MLP input", ToFloat(r));

        // Top MLP.
        x = r;
        for (int i = bottomCount; i < layers.Count; i++)
        {
            activations.Add(x);
            x = Linear(layers[i], state, x, rows);
            trace.Add($"{layers[i].Name} output", ToFloat(x));
        }

        // Loss and dL/ds.
        double loss = 0;
        var grad = new double[rows];
        for (int b = 0; b < rows; b++)
        {
            double s = x[b], y = batch.Labels[b];
            loss += Math.Max(s, 0) - s * y + Math.Log(1 + Math.Exp(-Math.Abs(s)));
            grad[b] = (1 / (1 + Math.Exp(-s)) - y) / rows;
        }
        trace.Loss = (float)(loss / rows);
        trace.Add("logit gradient", ToFloat(grad));

        // Backward through the top MLP.
        for (int i = layers.Count - 1; i >= bottomCount; i--)
            grad = LinearBackward(layers[i], state, activations[i], grad, rows, trace, inputIsRelu: i > bottomCount);
        trace.Add("top MLP input gradient", ToFloat(grad));

        // Interaction backward.
        var gradU = new double[rows * d];
        var gradE = new double[rows * tables * d];
        for (int b = 0; b < rows; b++)
        {
            for (int k = 0; k < d; k++) gradU[b * d + k] = grad[b * width + k];
            int pair = 0;
            for (int i = 1; i < n; i++)
                for (int j = 0; j < i; j++, pair++)
                {
                    double g = grad[b * width + d + pair];
                    for (int k = 0; k < d; k++)
                    {
                        AddToVector(b, i, k, g * Vector(b, j, k));
                        AddToVector(b, j, k, g * Vector(b, i, k));
                    }
                }
        }
        void AddToVector(int b, int v, int k, double value)
        {
            if (v == 0) gradU[b * d + k] += value;
            else gradE[(b * tables + v - 1) * d + k] += value;
        }
        trace.Add("embedding output gradient", ToFloat(gradE));

        // Bottom MLP backward (its output went through a ReLU).
        for (int e = 0; e < gradU.Length; e++) if (!(u[e] > 0)) gradU[e] = 0;
        grad = gradU;
        for (int i = bottomCount - 1; i >= 0; i--)
            grad = LinearBackward(layers[i], state, activations[i], grad, rows, trace, inputIsRelu: i > 0);

        // dL/dM, slot by slot.
        var gradM = new double[layout.TotalParameters];
        float[] weights = state["embedding"];
        for (int b = 0; b < rows; b++)
            for (int t = 0; t < tables; t++)
                for (int j = 0; j < d; j++)
                {
                    if (layout.Storage[t] == EmbeddingStorage.QuotientRemainder)
                    {
                        // No single slot: the product rule at the two rows the gather recorded, with the weights it read.
                        long record = (long)(b * tables + t) * layout.MaxBlocks;
                        long quotient = starts[record] + j, remainder = starts[record + 1] + j;
                        double g = gradE[(b * tables + t) * d + j];
                        gradM[quotient] += g * weights[remainder];
                        gradM[remainder] += g * weights[quotient];
                        continue;
                    }
                    var (slot, sign) = embedding.SlotOf(layout, t, batch.Tokens[b * tables + t], j);
                    gradM[slot] += sign * gradE[(b * tables + t) * d + j];
                }
        trace.Add("embedding gradient", ToFloat(gradM));
        return trace;
    }

    internal sealed record LayerInfo(string Name, int FanIn, int FanOut, bool Relu);

    internal static List<LayerInfo> Layers(ModelDeclaration declaration)
    {
        var list = new List<LayerInfo>();
        int fanIn = declaration.DenseFeatures;
        for (int i = 0; i < declaration.BottomMlp.Length; i++)
        {
            list.Add(new($"bottom.{i}", fanIn, declaration.BottomMlp[i], true));
            fanIn = declaration.BottomMlp[i];
        }
        fanIn = declaration.TopInputWidth;
        for (int i = 0; i <= declaration.TopMlp.Length; i++)
        {
            bool logit = i == declaration.TopMlp.Length;
            int fanOut = logit ? 1 : declaration.TopMlp[i];
            list.Add(new($"top.{i}", fanIn, fanOut, !logit));
            fanIn = fanOut;
        }
        return list;
    }

    private static double[] Linear(LayerInfo layer, ModelState state, double[] x, int rows)
    {
        float[] w = state[layer.Name + ".weight"], bias = state[layer.Name + ".bias"];
        var y = new double[rows * layer.FanOut];
        for (int b = 0; b < rows; b++)
            for (int o = 0; o < layer.FanOut; o++)
            {
                double sum = bias[o];
                for (int i = 0; i < layer.FanIn; i++) sum += x[b * layer.FanIn + i] * w[o * layer.FanIn + i];
                y[b * layer.FanOut + o] = layer.Relu ? Math.Max(sum, 0) : sum;
            }
        return y;
    }

    private static double[] LinearBackward(LayerInfo layer, ModelState state, double[] x, double[] gradY, int rows,
        StepTrace trace, bool inputIsRelu)
    {
        float[] w = state[layer.Name + ".weight"];
        var gradW = new double[layer.FanOut * layer.FanIn];
        var gradB = new double[layer.FanOut];
        var gradX = new double[rows * layer.FanIn];
        for (int b = 0; b < rows; b++)
            for (int o = 0; o < layer.FanOut; o++)
            {
                double g = gradY[b * layer.FanOut + o];
                gradB[o] += g;
                for (int i = 0; i < layer.FanIn; i++)
                {
                    gradW[o * layer.FanIn + i] += g * x[b * layer.FanIn + i];
                    gradX[b * layer.FanIn + i] += g * w[o * layer.FanIn + i];
                }
            }
        if (inputIsRelu)
            for (int e = 0; e < gradX.Length; e++) if (!(x[e] > 0)) gradX[e] = 0;
        trace.Add($"{layer.Name}.weight gradient", ToFloat(gradW));
        trace.Add($"{layer.Name}.bias gradient", ToFloat(gradB));
        return gradX;
    }

    private static float[] ToFloat(double[] values) => values.Select(v => (float)v).ToArray();
}
