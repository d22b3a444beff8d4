using RobeGen.Backends;
using RobeGen.Cuda.Kernels;
using RobeGen.Data;

namespace RobeGen.Lab.Equivalence;

/// <summary>
/// The BF16 forward pass written out slowly in double precision: every bf16 tensor rounded where the CUDA path stores one
/// (dense input, hidden activations, R, weight and bias copies: cuBLASLt adds a bias of the output's type); embeddings, the
/// logit layer's weight and bias, and every sum exact. Every interaction: Dot, Cat, and DcnV2, whose cross layers
/// <see cref="ReferenceCrossNetwork"/> emulates with its bf16 rounding points; single- and multi-hot batches.
/// </summary>
internal static class Bf16Emulation
{
    public static double[] Predict(ModelDeclaration declaration, EmbeddingLayout layout, IEmbeddingKernels embedding, ModelState state, Batch batch)
    {
        float[] embeddings = Gather(declaration, layout, embedding, state, batch);
        ReferenceCrossNetwork? cross = CrossNetwork(declaration, state);
        return Enumerable.Range(0, batch.Count).Select(r => 1 / (1 + Math.Exp(-Forward(declaration, state, cross, batch, embeddings, r).Logit))).ToArray();
    }

    /// <summary>
    /// The dense gradients (mean over the batch) of one BF16 training step, emulated: the forward as <see cref="Predict"/>; the
    /// backward exact in double except where the CUDA path stores bf16 (activation gradients dh, dx, du, dL/dR; the cross
    /// layers' dy and dh); GEMM operands are the bf16 weight copies, the logit layer's weight F32.
    /// </summary>
    public static Dictionary<string, double[]> DenseGradients(ModelDeclaration declaration, EmbeddingLayout layout, IEmbeddingKernels embedding,
        ModelState state, Batch batch)
    {
        int rows = batch.Count;
        float[] embeddings = Gather(declaration, layout, embedding, state, batch);
        ReferenceCrossNetwork? cross = CrossNetwork(declaration, state);
        var grads = new Dictionary<string, double[]>();
        foreach (var (name, values) in state.Tensors) if (name != "embedding") grads[name] = new double[values.Length];
        void Add(string name, double[] gradient)
        {
            double[] sum = grads[name];
            for (int i = 0; i < sum.Length; i++) sum[i] += gradient[i];
        }
        int bottomLayers = declaration.BottomMlp.Length, topHidden = declaration.TopMlp.Length;
        for (int r = 0; r < rows; r++)
        {
            RowForward f = Forward(declaration, state, cross, batch, embeddings, r);
            double[] x = f.LogitInput;
            float[] wl = state[$"top.{topHidden}.weight"];
            double g = (1 / (1 + Math.Exp(-f.Logit)) - batch.Labels[r]) / rows;
            for (int j = 0; j < x.Length; j++) grads[$"top.{topHidden}.weight"][j] += g * x[j];
            grads[$"top.{topHidden}.bias"][0] += g;
            // dh: masked by the hidden output's ReLU (R, when there is no hidden top layer, has none)
            double[] dy = x.Select((h, j) => topHidden == 0 || h > 0 ? Round(g * wl[j]) : 0).ToArray();
            for (int i = topHidden - 1; i >= 0; i--) dy = LayerBackward(state, grads, $"top.{i}", f.TopInputs[i], dy, maskInput: i > 0);
            double[] dR = dy; // R has no ReLU; stored bf16 already
            double[] du = declaration.Interaction switch
            {
                InteractionKind.Dot => DotBackward(declaration, f, dR),
                InteractionKind.Cat => dR, // dL/dx0 = dL/dR; its first d columns are du
                _ => cross!.Backward(f.Cross!, dR, 1, Add),
            };
            double[] u = f.Vectors[0];
            dy = u.Select((v, k) => v > 0 ? Round(du[k]) : 0).ToArray();
            for (int i = bottomLayers - 1; i >= 0; i--) dy = LayerBackward(state, grads, $"bottom.{i}", f.BottomInputs[i], dy, maskInput: i > 0);
        }
        return grads;
    }

    /// <summary><paramref name="value"/> as a bf16 tensor stores it (round to nearest even).</summary>
    public static double Round(double value) => Bf16.Round((float)value);

    /// <summary>One row's forward pass with every layer's input kept (for the backward).</summary>
    private sealed record RowForward(List<double[]> BottomInputs, List<double[]> Vectors, ReferenceCrossNetwork.Activations? Cross, List<double[]> TopInputs,
        double[] LogitInput, double Logit);

    /// <summary>DcnV2: the cross layers with the bf16 rounding points, on the state's parameters (null for Dot and Cat).</summary>
    private static ReferenceCrossNetwork? CrossNetwork(ModelDeclaration declaration, ModelState state) =>
        declaration.Interaction != InteractionKind.DcnV2 ? null : new ReferenceCrossNetwork(declaration,
            state.Tensors.Where(t => t.Key.StartsWith("cross.", StringComparison.Ordinal)).ToDictionary(t => t.Key, t => t.Value.Select(v => (double)v).ToArray()),
            bf16: true);

    /// <summary>The embeddings [rows, T, d] (F32 on the device too): one lookup per cell, or each cell's pooled bag.</summary>
    private static float[] Gather(ModelDeclaration declaration, EmbeddingLayout layout, IEmbeddingKernels embedding, ModelState state, Batch batch)
    {
        int rows = batch.Count, tables = declaration.TableCount;
        var embeddings = new float[rows * tables * declaration.EmbeddingDim];
        if (batch.IsMultiHot)
            embedding.GatherBags(layout, state["embedding"], batch.BagOffsets.AsSpan(0, rows * tables + 1), batch.BagIds, rows,
                new long[(long)batch.IdCount * layout.MaxBlocks], embeddings);
        else
            embedding.Gather(layout, state["embedding"], batch.TokenSpan, rows, new long[rows * tables * layout.MaxBlocks], embeddings);
        return embeddings;
    }

    private static RowForward Forward(ModelDeclaration declaration, ModelState state, ReferenceCrossNetwork? cross, Batch batch, float[] embeddings, int r)
    {
        int d = declaration.EmbeddingDim, tables = declaration.TableCount;
        var bottomInputs = new List<double[]>();
        double[] x = batch.Dense.Skip(r * declaration.DenseFeatures).Take(declaration.DenseFeatures).Select(v => Round(v)).ToArray();
        for (int i = 0; i < declaration.BottomMlp.Length; i++) { bottomInputs.Add(x); x = Layer(state, $"bottom.{i}", x, declaration.BottomMlp[i]); }
        var vectors = new List<double[]> { x };
        for (int t = 0; t < tables; t++) vectors.Add(embeddings.Skip((r * tables + t) * d).Take(d).Select(v => (double)v).ToArray());
        ReferenceCrossNetwork.Activations? crossActivations = null;
        switch (declaration.Interaction)
        {
            case InteractionKind.Dot:
                var input = new List<double>(x);
                for (int i = 1; i < vectors.Count; i++)
                    for (int j = 0; j < i; j++) input.Add(Round(vectors[i].Zip(vectors[j], (a, b) => a * b).Sum()));
                x = input.ToArray();
                break;
            case InteractionKind.Cat:
                x = vectors.SelectMany(v => v).Select(Round).ToArray(); // R = x0 = [u, E] stored bf16
                break;
            default:
                // x0 = [u, E] stored bf16 (u is bf16 already: E is rounded); the cross layers round where the device stores
                // bf16; x_L is R, stored bf16.
                x = cross!.Forward(vectors.SelectMany(v => v).Select(Round).ToArray(), 1, out crossActivations).Select(Round).ToArray();
                break;
        }
        var topInputs = new List<double[]>();
        for (int i = 0; i < declaration.TopMlp.Length; i++) { topInputs.Add(x); x = Layer(state, $"top.{i}", x, declaration.TopMlp[i]); }
        float[] w = state[$"top.{declaration.TopMlp.Length}.weight"];
        double logit = state[$"top.{declaration.TopMlp.Length}.bias"][0] + x.Select((v, j) => v * w[j]).Sum();
        return new RowForward(bottomInputs, vectors, crossActivations, topInputs, x, logit);
    }

    /// <summary>du of the Dot interaction from dL/dR (FP32 sums; the caller masks and rounds it): the pass-through of u plus
    /// each dot z_0j's share, dz_0j * v_j.</summary>
    private static double[] DotBackward(ModelDeclaration declaration, RowForward f, double[] dR)
    {
        int d = declaration.EmbeddingDim;
        double[] du = dR.Take(d).ToArray();
        for (int j = 1; j < f.Vectors.Count; j++)
        {
            double s0j = dR[d + j * (j - 1) / 2];
            for (int k = 0; k < d; k++) du[k] += s0j * f.Vectors[j][k];
        }
        return du;
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
                dx[i] += dy[o] * Round(w[o * x.Length + i]);
            }
        }
        return dx.Select((v, i) => !maskInput || x[i] > 0 ? Round(v) : 0).ToArray();
    }

    private static double[] Layer(ModelState state, string name, double[] x, int width)
    {
        float[] w = state[name + ".weight"], b = state[name + ".bias"];
        var y = new double[width];
        for (int o = 0; o < width; o++)
        {
            double sum = Round(b[o]);
            for (int i = 0; i < x.Length; i++) sum += x[i] * Round(w[o * x.Length + i]);
            y[o] = Round(Math.Max(0, sum));
        }
        return y;
    }
}
