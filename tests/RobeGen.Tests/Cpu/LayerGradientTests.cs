using RobeGen.Cpu.Gemm;
using RobeGen.Cpu.Layers;
using RobeGen.Cpu.Threading;

namespace RobeGen.Tests.Cpu;

/// <summary>Every layer's backward pass against central differences of its forward written in double.</summary>
public sealed class LayerGradientTests : IDisposable
{
    private readonly WorkerPool _pool = new(2);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Linear_layer_gradients_match_central_differences(bool relu)
    {
        const int batch = 5, inputs = 7, outputs = 6;
        using var gemm = new Sgemm(_pool);
        var layer = new LinearLayer(inputs, outputs, relu, maxBatch: 8);
        SgemmTests.Random(inputs * outputs, 1).CopyTo(layer.Weight, 0);
        SgemmTests.Random(outputs, 2).CopyTo(layer.Bias, 0);
        float[] x = SgemmTests.Random(batch * inputs, 3);
        float[] c = SgemmTests.Random(batch * outputs, 4); // L = sum c * y, so dL/dy = c

        layer.Forward(gemm, x, batch);
        double[] w = ToDouble(layer.Weight), bias = ToDouble(layer.Bias), xd = ToDouble(x);
        double Loss()
        {
            double sum = 0;
            for (int b = 0; b < batch; b++)
                for (int o = 0; o < outputs; o++)
                {
                    double z = bias[o];
                    for (int i = 0; i < inputs; i++) z += w[o * inputs + i] * xd[b * inputs + i];
                    sum += c[b * outputs + o] * (relu ? Math.Max(z, 0) : z);
                }
            return sum;
        }
        // The forward pass itself against the double formula (L with one-hot c would do the same, this is shorter).
        Assert.Equal(Loss(), Enumerable.Range(0, batch * outputs).Sum(i => (double)c[i] * layer.Output[i]), 1e-5);
        if (relu) Assert.Contains(layer.Output.Take(batch * outputs), v => v == 0f); // the mask is exercised

        c.CopyTo(layer.OutputGrad, 0);
        var inputGrad = new float[batch * inputs];
        layer.Backward(gemm, x, inputGrad, batch);

        GradientAssert.Close(Numerics(w, Loss), layer.WeightGrad, "dW");
        GradientAssert.Close(Numerics(bias, Loss), layer.BiasGrad, "db");
        GradientAssert.Close(Numerics(xd, Loss), inputGrad, "dx");
    }

    [Theory]
    [InlineData(3, 37, true)]
    [InlineData(300, 150, true)]
    [InlineData(300, 150, false)]
    public unsafe void Relu_mask_and_bias_gradient_match_the_obvious_loops(int rows, int cols, bool relu)
    {
        float[] output = SgemmTests.Random(rows * cols, 1).Select((v, i) => i % 5 == 0 ? 0f : v).ToArray();
        float[] grad = SgemmTests.Random(rows * cols, 2);
        float[] expectedGrad = grad.Select((g, i) => !relu || output[i] > 0 ? g : 0f).ToArray();
        var expectedSums = new float[cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) expectedSums[c] += expectedGrad[r * cols + c];

        var sums = SgemmTests.Random(cols, 3); // stale values must be overwritten
        // As the training pass does it: the mask by row blocks, then the sums by column ranges.
        fixed (float* g = grad, y = output, s = sums)
        {
            for (int r0 = 0; r0 < rows; r0 += 64)
                BiasReluBackward.MaskAndSumColumns(g + r0 * cols, relu ? y + r0 * cols : null, Math.Min(64, rows - r0), cols, 0, cols, null);
            for (int c0 = 0; c0 < cols; c0 += 40)
                BiasReluBackward.MaskAndSumColumns(g, null, rows, cols, c0, Math.Min(40, cols - c0), s + c0);
        }
        Assert.Equal(expectedGrad, grad);
        Assert.Equal(expectedSums, sums); // same order of additions: identical bits
    }

    [Theory]
    [InlineData(4, 3)]
    [InlineData(16, 5)]
    [InlineData(19, 1)]
    public void Dot_interaction_gradients_match_central_differences(int dim, int tables)
    {
        const int batch = 3;
        var interaction = new DotInteraction(dim, tables, _pool);
        int width = interaction.Width;
        Assert.Equal(dim + (tables + 1) * tables / 2, width);
        float[] u = SgemmTests.Random(batch * dim, 1), e = SgemmTests.Random(batch * tables * dim, 2);
        float[] c = SgemmTests.Random(batch * width, 3);
        var r = new float[batch * width];
        interaction.Forward(u, e, r, batch);

        double[] ud = ToDouble(u), ed = ToDouble(e);
        double[] Reference()
        {
            var output = new List<double>();
            for (int b = 0; b < batch; b++)
            {
                double[] V(int i) => i == 0 ? ud.AsSpan(b * dim, dim).ToArray() : ed.AsSpan((b * tables + i - 1) * dim, dim).ToArray();
                output.AddRange(V(0));
                for (int i = 1; i <= tables; i++)
                    for (int j = 0; j < i; j++)
                        output.Add(V(i).Zip(V(j), (p, q) => p * q).Sum());
            }
            return output.ToArray();
        }
        double[] expected = Reference();
        for (int i = 0; i < r.Length; i++) Assert.Equal(expected[i], r[i], 1e-5);

        double Loss() => Reference().Select((v, i) => v * c[i]).Sum();
        var du = new float[batch * dim];
        var de = new float[batch * tables * dim];
        interaction.Backward(u, e, c, du, de, batch);
        GradientAssert.Close(Numerics(ud, Loss), du, "du");
        GradientAssert.Close(Numerics(ed, Loss), de, "dE");
    }

    /// <summary>The Criteo width (27 vectors) and others around it, element by element against the FMA chain over k
    /// that the forward pass documents (so any faster schedule of it must keep these bits).</summary>
    [Theory]
    [InlineData(16, 26)]
    [InlineData(4, 24)]
    [InlineData(3, 31)]
    [InlineData(5, 27)]
    public void Dot_interaction_forward_matches_the_double_reference_for_wide_models(int dim, int tables)
    {
        const int batch = 5;
        var interaction = new DotInteraction(dim, tables, _pool);
        float[] u = SgemmTests.Random(batch * dim, 1), e = SgemmTests.Random(batch * tables * dim, 2);
        var r = new float[batch * interaction.Width];
        interaction.Forward(u, e, r, batch);
        int at = 0;
        for (int b = 0; b < batch; b++)
        {
            float[] V(int i) => i == 0 ? u.AsSpan(b * dim, dim).ToArray() : e.AsSpan((b * tables + i - 1) * dim, dim).ToArray();
            for (int k = 0; k < dim; k++) Assert.Equal(V(0)[k], r[at++]);
            for (int i = 1; i <= tables; i++)
                for (int j = 0; j < i; j++)
                {
                    // The FMA chain over k in order: the bits every path must give.
                    float chain = 0f;
                    for (int k = 0; k < dim; k++) chain = MathF.FusedMultiplyAdd(V(i)[k], V(j)[k], chain);
                    Assert.Equal(chain, r[at++]);
                }
        }
        Assert.Equal(r.Length, at);
    }

    [Fact]
    public void Bce_loss_and_gradient_match_the_double_formula()
    {
        float[] logits = [-40f, -3.5f, -0.2f, 0f, 0.7f, 2.5f, 35f, 1e-3f];
        float[] labels = [0f, 1f, 0f, 1f, 1f, 0f, 1f, 0f];
        var grad = new float[logits.Length];
        float loss = BinaryCrossEntropy.LossAndGradient(logits, labels, grad);

        double[] s = ToDouble(logits);
        double Loss() => s.Select((v, b) =>
        {
            // -log p or -log(1 - p) via log1p of the smaller exponential, exact in double for these magnitudes.
            double z = labels[b] == 1 ? v : -v;
            return z > 0 ? Math.Log(1 + Math.Exp(-z)) : -z + Math.Log(1 + Math.Exp(z));
        }).Average();
        Assert.Equal(Loss(), loss, 1e-6);
        Assert.True(float.IsFinite(loss));
        GradientAssert.Close(Numerics(s, Loss, h: 1e-6), grad, "ds");
        Assert.Equal(1f / (1f + MathF.Exp(-0.7f)), BinaryCrossEntropy.Sigmoid(0.7f));
        Assert.Equal(0f, BinaryCrossEntropy.Sigmoid(-200f));
        Assert.Equal(1f, BinaryCrossEntropy.Sigmoid(200f));
    }

    private static double[] ToDouble(float[] values) => values.Select(v => (double)v).ToArray();

    private static double[] Numerics(double[] x, Func<double> loss, double h = 1e-5) =>
        Enumerable.Range(0, x.Length).Select(i => GradientAssert.Numeric(x, i, loss, h)).ToArray();

    public void Dispose() => _pool.Dispose();
}
