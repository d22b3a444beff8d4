namespace RobeGen.Lab.Equivalence;

/// <summary>
/// DcnV2's cross layers of docs/model-math.md written the obvious way in double precision, for
/// <see cref="ReferenceDlrm"/>: x_{l+1} = x0 * y_l + x_l with y_l = U_l (V_l x_l) + b_l (rank r &gt; 0) or
/// W_l x_l + b_l (full rank), parameters read by their ModelState names from the reference's dictionary.
/// </summary>
internal sealed class ReferenceCrossNetwork(ModelDeclaration declaration, Dictionary<string, double[]> parameters)
{
    private readonly int _width = declaration.ConcatWidth, _rank = declaration.CrossRank, _layers = declaration.CrossLayers;

    /// <summary>What the backward pass needs of a forward pass: every layer's input x_l, y_l and (low rank) h_l.</summary>
    public sealed record Activations(double[] X0, List<double[]> Inputs, List<double[]> Y, List<double[]> H);

    /// <summary>x_L of every row of x0 [rows, D].</summary>
    public double[] Forward(double[] x0, int rows, out Activations activations)
    {
        int d = _width, r = _rank;
        activations = new Activations(x0, [], [], []);
        double[] x = x0;
        for (int l = 0; l < _layers; l++)
        {
            double[] bias = parameters[$"cross.{l}.bias"];
            var y = new double[rows * d];
            var h = new double[rows * r];
            for (int b = 0; b < rows; b++)
            {
                if (r > 0)
                {
                    double[] v = parameters[$"cross.{l}.v"], u = parameters[$"cross.{l}.u"];
                    for (int k = 0; k < r; k++)
                        for (int j = 0; j < d; j++) h[b * r + k] += v[k * d + j] * x[b * d + j];
                    for (int i = 0; i < d; i++)
                    {
                        double sum = bias[i];
                        for (int k = 0; k < r; k++) sum += u[i * r + k] * h[b * r + k];
                        y[b * d + i] = sum;
                    }
                }
                else
                {
                    double[] w = parameters[$"cross.{l}.weight"];
                    for (int i = 0; i < d; i++)
                    {
                        double sum = bias[i];
                        for (int j = 0; j < d; j++) sum += w[i * d + j] * x[b * d + j];
                        y[b * d + i] = sum;
                    }
                }
            }
            var next = new double[rows * d];
            for (int e = 0; e < next.Length; e++) next[e] = x0[e] * y[e] + x[e];
            activations.Inputs.Add(x);
            activations.Y.Add(y);
            activations.H.Add(h);
            x = next;
        }
        return x;
    }

    /// <summary>dL/dx0 from dL/dx_L; every parameter's gradient goes to <paramref name="trace"/> ("cross.0.v gradient", ...).</summary>
    public double[] Backward(Activations a, double[] gradOutput, int rows, StepTrace trace)
    {
        int d = _width, r = _rank;
        double[] g = (double[])gradOutput.Clone();
        var gradX0 = new double[rows * d];
        var gradients = new List<(string, double[])>();
        for (int l = _layers - 1; l >= 0; l--)
        {
            double[] x = a.Inputs[l], y = a.Y[l], h = a.H[l];
            var dy = new double[rows * d];
            var gradBias = new double[d];
            for (int e = 0; e < dy.Length; e++)
            {
                dy[e] = a.X0[e] * g[e];
                gradX0[e] += y[e] * g[e];
                gradBias[e % d] += dy[e];
            }
            var gradIn = (double[])g.Clone(); // the skip connection
            if (r > 0)
            {
                double[] v = parameters[$"cross.{l}.v"], u = parameters[$"cross.{l}.u"];
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
                        for (int j = 0; j < d; j++)
                        {
                            gradV[k * d + j] += dh * x[b * d + j];
                            gradIn[b * d + j] += dh * v[k * d + j];
                        }
                    }
                gradients.Add(($"cross.{l}.v", gradV));
                gradients.Add(($"cross.{l}.u", gradU));
            }
            else
            {
                double[] w = parameters[$"cross.{l}.weight"];
                var gradW = new double[d * d];
                for (int b = 0; b < rows; b++)
                    for (int i = 0; i < d; i++)
                        for (int j = 0; j < d; j++)
                        {
                            gradW[i * d + j] += dy[b * d + i] * x[b * d + j];
                            gradIn[b * d + j] += dy[b * d + i] * w[i * d + j];
                        }
                gradients.Add(($"cross.{l}.weight", gradW));
            }
            gradients.Add(($"cross.{l}.bias", gradBias));
            g = gradIn;
        }
        foreach (var (name, values) in gradients) trace.Add(name + " gradient", values.Select(v => (float)v).ToArray());
        for (int e = 0; e < g.Length; e++) g[e] += gradX0[e];
        return g;
    }
}
