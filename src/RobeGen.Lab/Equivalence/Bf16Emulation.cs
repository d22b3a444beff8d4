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
        float[] embeddings = Gather(declaration, layout, embedding, state, batch);
        return Enumerable.Range(0, batch.Count).Select(r => 1 / (1 + Math.Exp(-Forward(declaration, state, batch, embeddings, r).Logit))).ToArray();
    }

    /// <summary>
    /// The dense gradients (mean over the batch) of one BF16 training step, emulated: the forward as <see cref="Predict"/>; the
    /// backward exact in double except where the CUDA path stores bf16 (activation gradients dh, dx, du, dL/dR); GEMM
    /// operands are the bf16 weight copies, the logit layer's weight F32.
    /// </summary>
    public static Dictionary<string, double[]> DenseGradients(ModelDeclaration declaration, EmbeddingLayout layout, IEmbeddingKernels embedding,
        ModelState state, Batch batch)
    {
        int rows = batch.Count, d = declaration.EmbeddingDim;
        float[] embeddings = Gather(declaration, layout, embedding, state, batch);
        var grads = new Dictionary<string, double[]>();
        foreach (var (name, values) in state.Tensors) if (name != "embedding") grads[name] = new double[values.Length];
        int bottomLayers = declaration.BottomMlp.Length, topHidden = declaration.TopMlp.Length;
        for (int r = 0; r < rows; r++)
        {
            RowForward f = Forward(declaration, state, batch, embeddings, r);
            double[] x = f.LogitInput;
            float[] wl = state[$"top.{topHidden}.weight"];
            double g = (1 / (1 + Math.Exp(-f.Logit)) - batch.Labels[r]) / rows;
            for (int j = 0; j < x.Length; j++) grads[$"top.{topHidden}.weight"][j] += g * x[j];
            grads[$"top.{topHidden}.bias"][0] += g;
            // dh: masked by the hidden output's ReLU (R, when there is no hidden top layer, has none)
            double[] dy = x.Select((h, j) => topHidden == 0 || h > 0 ? R(g * wl[j]) : 0).ToArray();
            for (int i = topHidden - 1; i >= 0; i--) dy = LayerBackward(state, grads, $"top.{i}", f.TopInputs[i], dy, maskInput: i > 0);
            double[] dR = dy; // R has no ReLU; stored bf16 already
            double[] u = f.Vectors[0];
            double[] du = dR.Take(d).ToArray();
            int n = f.Vectors.Count;
            for (int j = 1; j < n; j++)
            {
                double s0j = dR[d + j * (j - 1) / 2];
                for (int k = 0; k < d; k++) du[k] += s0j * f.Vectors[j][k];
            }
            dy = du.Select((v, k) => u[k] > 0 ? R(v) : 0).ToArray();
            for (int i = bottomLayers - 1; i >= 0; i--) dy = LayerBackward(state, grads, $"bottom.{i}", f.BottomInputs[i], dy, maskInput: i > 0);
        }
        return grads;
    }

    /// <summary>One row's forward pass with every layer's input kept (for the backward).</summary>
    private sealed record RowForward(List<double[]> BottomInputs, List<double[]> Vectors, List<double[]> TopInputs, double[] LogitInput, double Logit);

    private static float[] Gather(ModelDeclaration declaration, EmbeddingLayout layout, IEmbeddingKernels embedding, ModelState state, Data.Batch batch)
    {
        int rows = batch.Count, tables = declaration.TableCount;
        var starts = new long[rows * tables * layout.MaxBlocks];
        var embeddings = new float[rows * tables * declaration.EmbeddingDim];
        embedding.Gather(layout, state["embedding"], batch.TokenSpan, rows, starts, embeddings);
        return embeddings;
    }

    private static RowForward Forward(ModelDeclaration declaration, ModelState state, Data.Batch batch, float[] embeddings, int r)
    {
        int d = declaration.EmbeddingDim, tables = declaration.TableCount;
        var bottomInputs = new List<double[]>();
        double[] x = batch.Dense.Skip(r * declaration.DenseFeatures).Take(declaration.DenseFeatures).Select(v => R(v)).ToArray();
        for (int i = 0; i < declaration.BottomMlp.Length; i++) { bottomInputs.Add(x); x = Layer(state, $"bottom.{i}", x, declaration.BottomMlp[i]); }
        var vectors = new List<double[]> { x };
        for (int t = 0; t < tables; t++) vectors.Add(embeddings.Skip((r * tables + t) * d).Take(d).Select(v => (double)v).ToArray());
        var input = new List<double>(x);
        for (int i = 1; i < vectors.Count; i++)
            for (int j = 0; j < i; j++) input.Add(R(vectors[i].Zip(vectors[j], (a, b) => a * b).Sum()));
        x = input.ToArray();
        var topInputs = new List<double[]>();
        for (int i = 0; i < declaration.TopMlp.Length; i++) { topInputs.Add(x); x = Layer(state, $"top.{i}", x, declaration.TopMlp[i]); }
        float[] w = state[$"top.{declaration.TopMlp.Length}.weight"];
        double logit = state[$"top.{declaration.TopMlp.Length}.bias"][0] + x.Select((v, j) => v * w[j]).Sum();
        return new RowForward(bottomInputs, vectors, topInputs, x, logit);
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
