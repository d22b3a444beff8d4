using RobeGen.Backends;
using RobeGen.Cuda.Kernels;
using RobeGen.Data;

namespace RobeGen.Lab.Equivalence;

/// <summary>
/// The BF16 forward pass written out slowly in double precision: every bf16 tensor rounded where the CUDA path stores one
/// (dense input, hidden activations, R, weight and bias copies: cuBLASLt adds a bias of the output's type); embeddings, the
/// logit layer's weight and bias, and every sum exact.
/// </summary>
internal static class Bf16Emulation
{
    public static double[] Predict(ModelDeclaration declaration, EmbeddingLayout layout, IEmbeddingKernels embedding, ModelState state, Batch batch)
    {
        int rows = batch.Count, d = declaration.EmbeddingDim, tables = declaration.TableCount;
        var starts = new long[rows * tables * layout.MaxBlocks];
        var embeddings = new float[rows * tables * d];
        embedding.Gather(layout, state["embedding"], batch.TokenSpan, rows, starts, embeddings);
        var result = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double[] x = batch.Dense.Skip(r * declaration.DenseFeatures).Take(declaration.DenseFeatures).Select(v => R(v)).ToArray();
            for (int i = 0; i < declaration.BottomMlp.Length; i++) x = Layer(state, $"bottom.{i}", x, declaration.BottomMlp[i]);
            var vectors = new List<double[]> { x };
            for (int t = 0; t < tables; t++) vectors.Add(embeddings.Skip((r * tables + t) * d).Take(d).Select(v => (double)v).ToArray());
            var input = new List<double>(x);
            for (int i = 1; i < vectors.Count; i++)
                for (int j = 0; j < i; j++) input.Add(R(vectors[i].Zip(vectors[j], (a, b) => a * b).Sum()));
            x = input.ToArray();
            for (int i = 0; i < declaration.TopMlp.Length; i++) x = Layer(state, $"top.{i}", x, declaration.TopMlp[i]);
            float[] w = state[$"top.{declaration.TopMlp.Length}.weight"];
            double logit = state[$"top.{declaration.TopMlp.Length}.bias"][0] + x.Select((v, j) => v * w[j]).Sum();
            result[r] = 1 / (1 + Math.Exp(-logit));
        }
        return result;
    }

    /// <summary>
    /// The dense gradients (mean over the batch) of one BF16 training step, emulated: the forward as <see cref="Predict"/>; the
    /// backward exact in double except where the CUDA path stores bf16 (activation gradients dh, dx, du, dL/dR); GEMM
    /// operands are the bf16 weight copies, the logit layer's weight F32.
    /// </summary>
    public static Dictionary<string, double[]> DenseGradients(ModelDeclaration declaration, EmbeddingLayout layout, IEmbeddingKernels embedding,
        ModelState state, Batch batch)
    {
        int rows = batch.Count, d = declaration.EmbeddingDim, tables = declaration.TableCount;
        var starts = new long[rows * tables * layout.MaxBlocks];
        var embeddings = new float[rows * tables * d];
        embedding.Gather(layout, state["embedding"], batch.TokenSpan, rows, starts, embeddings);
        var grads = new Dictionary<string, double[]>();
        foreach (var (name, values) in state.Tensors) if (name != "embedding") grads[name] = new double[values.Length];
        int bottomLayers = declaration.BottomMlp.Length, topHidden = declaration.TopMlp.Length;
        for (int r = 0; r < rows; r++)
        {
            // forward, keeping every layer's input
            var bottomInputs = new List<double[]>();
            double[] x = batch.Dense.Skip(r * declaration.DenseFeatures).Take(declaration.DenseFeatures).Select(v => R(v)).ToArray();
            for (int i = 0; i < bottomLayers; i++) { bottomInputs.Add(x); x = Layer(state, $"bottom.{i}", x, declaration.BottomMlp[i]); }
            double[] u = x;
            var vectors = new List<double[]> { u };
            for (int t = 0; t < tables; t++) vectors.Add(embeddings.Skip((r * tables + t) * d).Take(d).Select(v => (double)v).ToArray());
            var input = new List<double>(u);
            for (int i = 1; i < vectors.Count; i++)
                for (int j = 0; j < i; j++) input.Add(R(vectors[i].Zip(vectors[j], (a, b) => a * b).Sum()));
            x = input.ToArray();
            var topInputs = new List<double[]>();
            for (int i = 0; i < topHidden; i++) { topInputs.Add(x); x = Layer(state, $"top.{i}", x, declaration.TopMlp[i]); }
            float[] wl = state[$"top.{topHidden}.weight"];
            double logit = state[$"top.{topHidden}.bias"][0] + x.Select((v, j) => v * wl[j]).Sum();
            double g = (1 / (1 + Math.Exp(-logit)) - batch.Labels[r]) / rows;
            // backward
            for (int j = 0; j < x.Length; j++) grads[$"top.{topHidden}.weight"][j] += g * x[j];
            grads[$"top.{topHidden}.bias"][0] += g;
            double[] dy = x.Select((h, j) => h > 0 ? R(g * wl[j]) : 0).ToArray();
            for (int i = topHidden - 1; i >= 0; i--) dy = LayerBackward(state, grads, $"top.{i}", topInputs[i], dy, maskInput: i > 0);
            double[] dR = dy; // R has no ReLU; stored bf16 already
            double[] du = new double[d];
            for (int k = 0; k < d; k++) du[k] = dR[k];
            int n = vectors.Count;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    if (i == j) continue;
                    int hi = Math.Max(i, j), lo = Math.Min(i, j);
                    double sij = dR[d + hi * (hi - 1) / 2 + lo];
                    if (i == 0) for (int k = 0; k < d; k++) du[k] += sij * vectors[j][k];
                }
            dy = du.Select((v, k) => u[k] > 0 ? R(v) : 0).ToArray();
            for (int i = bottomLayers - 1; i >= 0; i--) dy = LayerBackward(state, grads, $"bottom.{i}", bottomInputs[i], dy, maskInput: i > 0);
        }
        return grads;
    }

    private static double[] LayerBackward(ModelState state, Dictionary<string, double[]> grads, string name, double[] x, double[] dy, bool maskInput)
    {
        float[] w = state[name + ".weight"];
        double[] dw = grads[name + ".weight"], db = grads[name + ".bias"];
        var dx = new double[x.Length];
        for (int o = 0; o < dy.Length; o++)
        {
            db[o] += dy[o];
            for (int i = 0; i < x.Length; i++)
            {
                dw[o * x.Length + i] += dy[o] * x[i];
                dx[i] += dy[o] * R(w[o * x.Length + i]);
            }
        }
        return dx.Select((v, i) => !maskInput || x[i] > 0 ? R(v) : 0).ToArray();
    }

    private static double[] Layer(ModelState state, string name, double[] x, int width)
    {
        float[] w = state[name + ".weight"], b = state[name + ".bias"];
        var y = new double[width];
        for (int o = 0; o < width; o++)
        {
            double sum = R(b[o]);
            for (int i = 0; i < x.Length; i++) sum += x[i] * R(w[o * x.Length + i]);
            y[o] = R(Math.Max(0, sum));
        }
        return y;
    }

    private static double R(double v) => Bf16.Round((float)v);
}
