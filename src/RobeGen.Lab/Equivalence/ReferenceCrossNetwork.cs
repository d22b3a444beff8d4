using RobeGen.Cuda.Kernels;

namespace RobeGen.Lab.Equivalence;

/// <summary>
/// DcnV2's cross layers of docs/model-math.md written the obvious way in double precision, for
/// <see cref="ReferenceDlrm"/>: x_{l+1} = x0 * y_l + x_l with y_l = U_l (V_l x_l) + b_l (rank r &gt; 0) or
/// W_l x_l + b_l (full rank), parameters read by their ModelState names from the reference's dictionary.
/// With <paramref name="bf16"/> it is <see cref="Bf16Emulation"/>'s: the tensors the CUDA BF16 path stores in bf16 are
/// rounded where it rounds them (x0, which its caller passes rounded; the GEMM operands x_l, V, U, W; the biases b_l,
/// added to the exact sum; h_l, y_l, dy and dh); x_l for l &gt;= 1 in the combine, g and every sum stay exact
/// (docs/model-math.md, "TF32 and BF16").
/// </summary>
internal sealed class ReferenceCrossNetwork(ModelDeclaration declaration, Dictionary<string, double[]> parameters, bool bf16 = false)
{
    private readonly int _width = declaration.ConcatWidth, _rank = declaration.CrossRank, _layers = declaration.CrossLayers;
    // The bf16 copies of V, U, W and the biases a BF16 emulation's products read (taken once: it emulates one state).
    private readonly Dictionary<string, double[]> _copies = bf16
        ? parameters.Where(p => p.Key.StartsWith("cross.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value.Select(Bf16Emulation.Round).ToArray())
        : [];

    /// <summary>The weight or bias the products read: the master, or (BF16) its bf16 copy.</summary>
    private double[] Weight(string name) => bf16 ? _copies[name] : parameters[name];

    /// <summary>A tensor the CUDA path stores in bf16 in a BF16 model, as it stores it.</summary>
    private double Q(double value) => bf16 ? Bf16Emulation.Round(value) : value;

    /// <summary>
    /// What the backward pass needs of a forward pass: x0, every layer's GEMM operand x_l (its bf16 rounding in a BF16
    /// emulation), y_l and (low rank) h_l.
    /// </summary>
    public sealed record Activations(double[] X0, List<double[]> Inputs, List<double[]> Y, List<double[]> H);

    /// <summary>x_L of every row of x0 [rows, D].</summary>
    public double[] Forward(double[] x0, int rows, out Activations activations)
    {
        int d = _width, r = _rank;
        activations = new Activations(x0, [], [], []);
        double[] x = x0;
        for (int l = 0; l < _layers; l++)
        {
            double[] bias = Weight($"cross.{l}.bias");
            double[] operand = x.Select(Q).ToArray();
            var y = new double[rows * d];
            var h = new double[rows * r];
            for (int b = 0; b < rows; b++)
            {
                if (r > 0)
                {
                    double[] v = Weight($"cross.{l}.v"), u = Weight($"cross.{l}.u");
                    for (int k = 0; k < r; k++)
                    {
                        double sum = 0;
                        for (int j = 0; j < d; j++) sum += v[k * d + j] * operand[b * d + j];
                        h[b * r + k] = Q(sum);
                    }
                    for (int i = 0; i < d; i++)
                    {
                        double sum = bias[i];
                        for (int k = 0; k < r; k++) sum += u[i * r + k] * h[b * r + k];
                        y[b * d + i] = Q(sum);
                    }
                }
                else
                {
                    double[] w = Weight($"cross.{l}.weight");
                    for (int i = 0; i < d; i++)
                    {
                        double sum = bias[i];
                        for (int j = 0; j < d; j++) sum += w[i * d + j] * operand[b * d + j];
                        y[b * d + i] = Q(sum);
                    }
                }
            }
            var next = new double[rows * d];
            for (int e = 0; e < next.Length; e++) next[e] = x0[e] * y[e] + x[e];
            activations.Inputs.Add(operand);
            activations.Y.Add(y);
            activations.H.Add(h);
            x = next;
        }
        return x;
    }

    /// <summary>
    /// dL/dx0 from dL/dx_L; every parameter's gradient goes to <paramref name="gradient"/> (name, values), last layer first,
    /// V (or W), U, then the bias of each.
    /// </summary>
    public double[] Backward(Activations a, double[] gradOutput, int rows, Action<string, double[]> gradient)
    {
        int d = _width, r = _rank;
        double[] g = (double[])gradOutput.Clone();
        var gradX0 = new double[rows * d];
        for (int l = _layers - 1; l >= 0; l--)
        {
            double[] x = a.Inputs[l], y = a.Y[l], h = a.H[l];
            var dy = new double[rows * d];
            var gradBias = new double[d];
            for (int e = 0; e < dy.Length; e++)
            {
                dy[e] = Q(a.X0[e] * g[e]);
                gradX0[e] += y[e] * g[e];
                gradBias[e % d] += dy[e];
            }
            var gradIn = (double[])g.Clone(); // the skip connection
            if (r > 0)
            {
                double[] v = Weight($"cross.{l}.v"), u = Weight($"cross.{l}.u");
                var gradU = new double[d * r];
                var gradV = new double[r * d];
                for (int b = 0; b < rows; b++)
                    for (int k = 0; k < r; k++)
                    {
                        double dh = 0;
                        for (int i = 0; i < d; i++)
                        {
                            gradU[i * r + k] += dy[b * d + i] * h[b * r + k];
                            dh += dy[b * d + i] * u[i * r + k];
                        }
                        dh = Q(dh);
                        for (int j = 0; j < d; j++)
                        {
                            gradV[k * d + j] += dh * x[b * d + j];
                            gradIn[b * d + j] += dh * v[k * d + j];
                        }
                    }
                gradient($"cross.{l}.v", gradV);
                gradient($"cross.{l}.u", gradU);
            }
            else
            {
                double[] w = Weight($"cross.{l}.weight");
                var gradW = new double[d * d];
                for (int b = 0; b < rows; b++)
                    for (int i = 0; i < d; i++)
                        for (int j = 0; j < d; j++)
                        {
                            gradW[i * d + j] += dy[b * d + i] * x[b * d + j];
                            gradIn[b * d + j] += dy[b * d + i] * w[i * d + j];
                        }
                gradient($"cross.{l}.weight", gradW);
            }
            gradient($"cross.{l}.bias", gradBias);
            g = gradIn;
        }
        for (int e = 0; e < g.Length; e++) g[e] += gradX0[e];
        return g;
    }
}
