using RobeGen.Cpu.Quantized;
using RobeGen.Cpu.Threading;

namespace RobeGen.Tests.Cpu.Quantized;

/// <summary>
/// The quantized product end to end: the quantizers' round trips, exact integer products through the whole driver
/// (odd shapes, tails of rows, columns and k, input groups), kernels and thread counts bit-identical, and FP32
/// inputs within the error bound the quantization steps imply.
/// </summary>
public sealed class Int8GemmTests : IDisposable
{
    private readonly WorkerPool _pool = new(2);

    public void Dispose() => _pool.Dispose();

    public static TheoryData<int, int, int, int[]> Shapes => new()
    {
        { 1, 2, 1, [] }, { 7, 13, 5, [] }, { 8, 32, 4, [] }, { 9, 33, 17, [] }, { 16, 16, 32, [] }, { 129, 65, 33, [] },
        { 1, 257, 20, [] }, { 64, 600, 7, [] }, { 72, 50, 513, [] }, { 140, 40, 260, [] }, { 300, 96, 367, [16] },
        { 9, 33, 33, [4, 20] }, { 1, 40, 10, [8] },
    };

    /// <summary>
    /// Integer-valued operands whose every row (and group) reaches 255 (activations, none negative) or 63 in
    /// magnitude (weights) quantize with scale 1 and zero point 0, so the product must be the exact integer sum
    /// (below 2^24, so exact in FP32).
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Integer_operands_give_the_exact_product_with_every_kernel(int m, int n, int k, int[] groupStarts)
    {
        var random = new Random(m * 7 + n * 13 + k);
        var groups = new InputGroups(k, groupStarts);
        float[] x = IntegerMatrix(random, m, k, 0, 255, _ => 255, groups);
        float[] w = IntegerMatrix(random, n, k, -63, 63, r => r % 2 == 0 ? 63 : -63, InputGroups.Single(k));
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                long sum = 0;
                for (int p = 0; p < k; p++) sum += (long)x[i * k + p] * (long)w[j * k + p];
                expected[i * n + j] = sum;
            }
        foreach (Int8MicroKernel kernel in Int8KernelTests.Kernels())
            Assert.Equal(expected, Product(_pool, kernel, x, w, m, n, groups, bias: new float[n], relu: false));
    }

    [Fact]
    public void Kernels_and_thread_counts_agree_bit_for_bit_on_real_valued_inputs()
    {
        const int m = 203, n = 130, k = 367;
        var random = new Random(5);
        var groups = new InputGroups(k, 16);
        float[] x = RealMatrix(random, m * k, -2f, 3f), w = RealMatrix(random, n * k, -0.2f, 0.2f), bias = RealMatrix(random, n, -1f, 1f);
        using var single = new WorkerPool(1);
        float[] reference = Product(single, new Int8KernelScalar(), x, w, m, n, groups, bias, relu: true);
        foreach (Int8MicroKernel kernel in Int8KernelTests.Kernels())
        {
            Assert.Equal(reference, Product(_pool, kernel, x, w, m, n, groups, bias, relu: true));
            Assert.Equal(reference, Product(single, kernel, x, w, m, n, groups, bias, relu: true));
        }
        // A row alone gives the bits it gets inside the batch (per-row scales, exact integer sums).
        float[] row = Product(_pool, Int8MicroKernel.Best, x.AsSpan(17 * k, k).ToArray(), w, 1, n, groups, bias, relu: true);
        Assert.Equal(reference.AsSpan(17 * n, n).ToArray(), row);
    }

    [Fact]
    public void Activations_round_trip_within_one_step_and_half_a_step_without_negatives()
    {
        const int rows = 37, width = 45;
        var random = new Random(3);
        var groups = new InputGroups(width, 12);
        float[] x = RealMatrix(random, rows * width, -1.5f, 4f);
        for (int p = 0; p < width; p++) x[5 * width + p] = MathF.Abs(x[5 * width + p]); // a row without negatives (ReLU output)
        Array.Clear(x, 9 * width, width);                                                 // an all-zero row
        for (int p = 0; p < width; p++) x[11 * width + p] = -MathF.Abs(x[11 * width + p]); // a row without positives
        for (int p = 12; p < width; p++) x[20 * width + p] *= 1e-3f;                     // groups of very different magnitude
        using var q = new QuantizedActivations(rows, width, maxGroups: 2);
        q.Quantize(_pool, x, rows, groups);
        for (int i = 0; i < rows; i++)
            for (int g = 0; g < groups.Count; g++)
            {
                float scale = q.Scale[i * 2 + g];
                int zero = q.Zero[i * 2 + g];
                Assert.InRange(zero, 0, QuantizedActivations.MaxLevel);
                float[] values = x.AsSpan(i * width + groups.Start(g), groups.End(g) - groups.Start(g)).ToArray();
                bool nonNegative = values.All(v => v >= 0);
                Assert.True(!nonNegative || zero == 0, $"row {i}: zero point {zero} for a group without negatives");
                Assert.Equal(Math.Max(0, values.Max()) - Math.Min(0, values.Min()), scale * QuantizedActivations.MaxLevel, 1e-5 * scale * 255);
                for (int p = groups.Start(g); p < groups.End(g); p++)
                {
                    byte value = q[i, p];
                    float restored = scale * (value - zero), error = MathF.Abs(restored - x[i * width + p]);
                    float bound = (nonNegative ? 0.5f : 1f) * scale * (1 + 1e-5f) + 1e-7f;
                    Assert.True(error <= bound, $"x[{i},{p}] = {x[i * width + p]} -> {restored} (scale {scale}, zero {zero})");
                }
            }
        Assert.All(Enumerable.Range(0, width), p => Assert.Equal(0, q[9, p]));
        Assert.Equal(0, q.Zero[18]);
        Assert.True(q.Scale[20 * 2 + 1] < 2e-3f * q.Scale[20 * 2], "the small group has its own, finer step");
    }

    [Fact]
    public void Weights_round_trip_within_half_a_step_per_output_with_sums_per_group()
    {
        const int outputs = 70, inputs = 45;
        var random = new Random(4);
        var groups = new InputGroups(inputs, 8, 40);
        float[] w = RealMatrix(random, outputs * inputs, -0.3f, 0.3f);
        Array.Clear(w, 3 * inputs, inputs); // an all-zero output
        using var q = new QuantizedWeights(outputs, groups);
        q.Quantize(w);
        for (int j = 0; j < outputs; j++)
        {
            for (int g = 0; g < groups.Count; g++)
            {
                int sum = 0;
                for (int p = groups.Start(g); p < groups.End(g); p++) sum += q[j, p];
                Assert.Equal(sum, q.ColumnSum[g * outputs + j]);
            }
            for (int p = 0; p < inputs; p++)
            {
                Assert.InRange(q[j, p], (sbyte)-QuantizedWeights.MaxLevel, (sbyte)QuantizedWeights.MaxLevel);
                Assert.True(MathF.Abs(q.Scale[j] * q[j, p] - w[j * inputs + p]) <= 0.5f * q.Scale[j] * (1 + 1e-5f) + 1e-9f);
            }
            Assert.Contains(Enumerable.Range(0, inputs), p => j == 3 || Math.Abs((int)q[j, p]) == QuantizedWeights.MaxLevel);
        }
        Assert.Equal(0f, q.Scale[3]);
    }

    /// <summary>
    /// Against the FP32 layer (computed in double): with x = x' + ex, |ex| &lt;= Sa (half that for groups without
    /// negatives), and w = w' + ew, |ew| &lt;= Sw/2, the exact product of the restored operands differs from x.w by at
    /// most sum_k |ex_k| |w_k| + |x'_k| |ew_k|; the epilogue adds a few FP32 roundings. ReLU cannot increase an error.
    /// </summary>
    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 16 })]
    public void Real_inputs_stay_within_the_bound_the_quantization_steps_imply(int[] groupStarts)
    {
        const int m = 96, n = 70, k = 367;
        var random = new Random(8);
        var groups = new InputGroups(k, groupStarts);
        float[] x = RealMatrix(random, m * k, -2f, 5f), w = RealMatrix(random, n * k, -0.1f, 0.1f), bias = RealMatrix(random, n, -1f, 1f);
        for (int p = 0; p < m * k / 2; p++) x[p] = MathF.Max(x[p], 0f); // first half of the rows as ReLU outputs
        float[] actual = Product(_pool, Int8MicroKernel.Best, x, w, m, n, groups, bias, relu: true);

        using var qx = new QuantizedActivations(m, k, groups.Count);
        qx.Quantize(_pool, x, m, groups);
        using var qw = new QuantizedWeights(n, groups);
        qw.Quantize(w);
        double worst = 0;
        var step = new double[k];
        for (int i = 0; i < m; i++)
        {
            for (int g = 0; g < groups.Count; g++)
            {
                bool nonNegative = x.AsSpan(i * k + groups.Start(g), groups.End(g) - groups.Start(g)).ToArray().All(v => v >= 0);
                for (int p = groups.Start(g); p < groups.End(g); p++) step[p] = (nonNegative ? 0.5 : 1.0) * qx.Scale[i * groups.Count + g];
            }
            for (int j = 0; j < n; j++)
            {
                double exact = bias[j], bound = 0, magnitude = Math.Abs(bias[j]);
                for (int p = 0; p < k; p++)
                {
                    double xv = x[i * k + p], wv = w[j * k + p];
                    exact += xv * wv;
                    bound += step[p] * Math.Abs(wv) + (Math.Abs(xv) + step[p]) * 0.5 * qw.Scale[j];
                    magnitude += Math.Abs(xv * wv);
                }
                exact = Math.Max(exact, 0);
                double error = Math.Abs(actual[i * n + j] - exact);
                Assert.True(error <= bound + 1e-5 * magnitude, $"C[{i},{j}] = {actual[i * n + j]} vs {exact}: error {error} > bound {bound}");
                worst = Math.Max(worst, error / bound);
            }
        }
        // The bound is not vacuous: errors reach a sizeable fraction of it somewhere.
        Assert.InRange(worst, 0.01, 1.0);
    }

    [Fact]
    public void A_separate_group_keeps_small_inputs_precise_beside_large_ones()
    {
        // The top MLP's first layer: 16 large inputs (bottom MLP output), then many small ones (dot products).
        const int m = 64, n = 32, k = 368;
        var random = new Random(9);
        float[] x = RealMatrix(random, m * k, 0f, 0.01f), w = RealMatrix(random, n * k, -0.1f, 0.1f), bias = new float[n];
        // The large part: zeros but one value of 20 per row, which sets a shared scale; its weight is 0, so the
        // whole product is the small inputs' part.
        for (int i = 0; i < m; i++) { Array.Clear(x, i * k, 16); x[i * k] = 20f; }
        for (int j = 0; j < n; j++) w[j * k] = 0f;
        double ErrorWith(InputGroups groups)
        {
            float[] c = Product(_pool, Int8MicroKernel.Best, x, w, m, n, groups, bias, relu: false);
            double total = 0;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double exact = 0;
                    for (int p = 0; p < k; p++) exact += (double)x[i * k + p] * w[j * k + p];
                    total += Math.Abs(c[i * n + j] - exact);
                }
            return total / (m * n);
        }
        double shared = ErrorWith(InputGroups.Single(k)), split = ErrorWith(new InputGroups(k, 16));
        Assert.True(split < shared / 20, $"mean error {split:E2} with two groups vs {shared:E2} with one");
    }

    internal static float[] Product(WorkerPool pool, Int8MicroKernel kernel, float[] x, float[] w, int m, int n, InputGroups groups, float[] bias, bool relu)
    {
        using var qx = new QuantizedActivations(m, groups.Width, groups.Count);
        using var qw = new QuantizedWeights(n, groups);
        using var gemm = new Int8Gemm(pool, kernel);
        qx.Quantize(pool, x, m, groups);
        qw.Quantize(w);
        var c = new float[m * n];
        gemm.Multiply(qx, qw, bias, relu, c, n);
        return c;
    }

    /// <summary>Random integers in [min, max], with <paramref name="anchor"/>(row) at one place of every group of every row.</summary>
    private static float[] IntegerMatrix(Random random, int rows, int cols, int min, int max, Func<int, int> anchor, InputGroups groups)
    {
        var a = new float[rows * cols];
        for (int i = 0; i < a.Length; i++) a[i] = random.Next(min, max + 1);
        for (int r = 0; r < rows; r++)
            for (int g = 0; g < groups.Count; g++)
                a[r * cols + random.Next(groups.Start(g), groups.End(g))] = anchor(r);
        return a;
    }

    private static float[] RealMatrix(Random random, int count, float min, float max)
    {
        var a = new float[count];
        for (int i = 0; i < count; i++) a[i] = min + (max - min) * random.NextSingle();
        return a;
    }
}
