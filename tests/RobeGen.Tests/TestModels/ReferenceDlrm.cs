using RobeGen.Backends;
using RobeGen.Data;

namespace RobeGen.Tests.TestModels;

/// <summary>
/// docs/model-math.md's forward pass written directly in double precision with plain loops: the independent
/// reference for the backends' outputs and, by central differences, for their gradients.
/// </summary>
internal sealed class ReferenceDlrm
{
    private readonly EmbeddingLayout _layout;
    private readonly IEmbeddingKernels _kernels;

    public ReferenceDlrm(EmbeddingLayout layout, IEmbeddingKernels kernels, ModelState state)
    {
        _layout = layout;
        _kernels = kernels;
        foreach (var (name, values) in state.Tensors)
            if (!name.StartsWith("adagrad.", StringComparison.Ordinal)) Parameters[name] = values.Select(v => (double)v).ToArray();
    }

    /// <summary>The parameters by ModelState name; change them to probe the loss.</summary>
    public Dictionary<string, double[]> Parameters { get; } = new();

    public double[] Logits(Batch batch)
    {
        ModelDeclaration d = _layout.Declaration;
        var logits = new double[batch.Count];
        for (int b = 0; b < batch.Count; b++)
        {
            double[] x = batch.Dense.AsSpan(b * d.DenseFeatures, d.DenseFeatures).ToArray().Select(v => (double)v).ToArray();
            for (int i = 0; i < d.BottomMlp.Length; i++) x = Linear(x, $"bottom.{i}", relu: true);

            var vectors = new List<double[]> { x };
            for (int t = 0; t < d.TableCount; t++) vectors.Add(Embedding(t, batch.Tokens[b * d.TableCount + t]));
            var r = new List<double>(x);
            for (int i = 1; i < vectors.Count; i++)
            for (int j = 0; j < i; j++)
                r.Add(vectors[i].Zip(vectors[j], (p, q) => p * q).Sum());

            double[] h = r.ToArray();
            for (int i = 0; i <= d.TopMlp.Length; i++) h = Linear(h, $"top.{i}", relu: i < d.TopMlp.Length);
            logits[b] = h[0];
        }
        return logits;
    }

    /// <summary>Mean binary cross-entropy of the batch.</summary>
    public double Loss(Batch batch)
    {
        double[] s = Logits(batch);
        double sum = 0;
        for (int b = 0; b < s.Length; b++)
        {
            double p = 1 / (1 + Math.Exp(-s[b]));
            sum -= batch.Labels[b] == 1 ? Math.Log(p) : Math.Log(1 - p);
        }
        return sum / s.Length;
    }

    /// <summary>dLoss/dparameter[index] by central differences.</summary>
    public double NumericGradient(Batch batch, string name, int index, double h = 1e-5)
    {
        double[] p = Parameters[name];
        double saved = p[index];
        p[index] = saved + h;
        double up = Loss(batch);
        p[index] = saved - h;
        double down = Loss(batch);
        p[index] = saved;
        return (up - down) / (2 * h);
    }

    private double[] Linear(double[] x, string prefix, bool relu)
    {
        double[] w = Parameters[prefix + ".weight"], bias = Parameters[prefix + ".bias"];
        var y = new double[bias.Length];
        for (int o = 0; o < y.Length; o++)
        {
            double sum = bias[o];
            for (int i = 0; i < x.Length; i++) sum += w[o * x.Length + i] * x[i];
            y[o] = relu ? Math.Max(sum, 0) : sum;
        }
        return y;
    }

    private double[] Embedding(int table, ulong token)
    {
        double[] m = Parameters["embedding"];
        var e = new double[_layout.Dim];
        if (_layout.Storage[table] == EmbeddingStorage.QuotientRemainder)
        {
            // The element-wise product of the quotient and remainder rows (ReferenceEmbeddingKernels' 128-bit index rule).
            var (quotient, remainder) = ReferenceEmbeddingKernels.QuotientRemainderRows(_layout, table, token);
            for (int j = 0; j < e.Length; j++) e[j] = m[quotient + j] * m[remainder + j];
            return e;
        }
        for (int j = 0; j < e.Length; j++)
        {
            (long slot, float sign) = _kernels.SlotOf(_layout, table, token, j);
            e[j] = sign * m[slot];
        }
        return e;
    }
}
