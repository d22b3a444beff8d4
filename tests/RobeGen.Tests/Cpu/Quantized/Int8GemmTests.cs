using RobeGen.Cpu.Quantized;
using RobeGen.Cpu.Threading;

namespace RobeGen.Tests.Cpu.Quantized;

/// <summary>
/// The quantized product end to end: the quantizers' round trips, exact integer products through the whole driver
/// (odd shapes, tails of rows, columns and k), kernels and thread counts bit-identical, and FP32 inputs within the
/// error bound the quantization steps imply.
/// </summary>
public sealed class Int8GemmTests : IDisposable
{
    private readonly WorkerPool _pool = new(2);

    public void Dispose() => _pool.Dispose();

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 2, 1 }, { 7, 13, 5 }, { 8, 32, 4 }, { 9, 33, 17 }, { 16, 16, 32 }, { 129, 65, 33 },
        { 1, 257, 20 }, { 64, 600, 7 }, { 72, 50, 513 }, { 140, 40, 260 }, { 300, 96, 367 },
    };

    /// <summary>
    /// Integer-valued operands whose every row reaches 127 (activations, none negative) or 127 in magnitude (weights)
    /// quantize with scale 1 and zero point 0, so the product must be the exact integer sum (below 2^24, exact in FP32).
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Integer_operands_give_the_exact_product_with_every_kernel(int m, int n, int k)
    {
        var random = new Random(m * 7 + n * 13 + k);
        float[] x = IntegerMatrix(random, m, k, 0, 127, anchor: 127);
        float[] w = IntegerMatrix(random, n, k, -127, 127, anchor: random.Next(2) == 0 ? 127 : -127);
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            long sum = 0;
            for (int p = 0; p < k; p++) sum += (long)x[i * k + p] * (long)w[j * k + p];
            expected[i * n + j] = sum;
        }
        foreach (Int8MicroKernel kernel in Int8KernelTests.Kernels())
            Assert.Equal(expected, Product(_pool, kernel, x, w, m, n, k, bias: new float[n], relu: false));
    }

    [Fact]
    public void Kernels_and_thread_counts_agree_bit_for_bit_on_real_valued_inputs()
    {
        const int m = 203, n = 130, k = 367;
        var random = new Random(5);
        float[] x = RealMatrix(random, m * k, -2f, 3f), w = RealMatrix(random, n * k, -0.2f, 0.2f), bias = RealMatrix(random, n, -1f, 1f);
        using var single = new WorkerPool(1);
        float[] reference = Product(single, new Int8KernelScalar(), x, w, m, n, k, bias, relu: true);
        foreach (Int8MicroKernel kernel in Int8KernelTests.Kernels())
        {
            Assert.Equal(reference, Product(_pool, kernel, x, w, m, n, k, bias, relu: true));
            Assert.Equal(reference, Product(single, kernel, x, w, m, n, k, bias, relu: true));
        }
        // A row alone gives the bits it gets inside the batch (per-row scales, exact integer sums).
        float[] row = Product(_pool, Int8MicroKernel.Best, x.AsSpan(17 * k, k).ToArray(), w, 1, n, k, bias, relu: true);
        Assert.Equal(reference.AsSpan(17 * n, n).ToArray(), row);
    }

    [Fact]
    public void Activations_round_trip_within_one_step_and_half_a_step_without_negatives()
    {
        const int rows = 37, width = 45;
        var random = new Random(3);
        float[] x = RealMatrix(random, rows * width, -1.5f, 4f);
        for (int p = 0; p < width; p++) x[5 * width + p] = MathF.Abs(x[5 * width + p]); // a row without negatives (ReLU output)
        Array.Clear(x, 9 * width, width);                                                 // an all-zero row
        for (int p = 0; p < width; p++) x[11 * width + p] = -MathF.Abs(x[11 * width + p]); // a row without positives
        using var q = new QuantizedActivations(rows, width);
        q.Quantize(_pool, x, rows, width);
        for (int i = 0; i < rows; i++)
        {
            float scale = q.Scale[i];
            int zero = q.Zero[i];
            Assert.InRange(zero, 0, 127);
            bool nonNegative = x.AsSpan(i * width, width).ToArray().All(v => v >= 0);
            Assert.True(!nonNegative || zero == 0, $"row {i}: zero point {zero} for a row without negatives");
            for (int p = 0; p < width; p++)
            {
                byte value = q[i, p];
                Assert.InRange(value, (byte)0, (byte)127);
                float restored = scale * (value - zero), error = MathF.Abs(restored - x[i * width + p]);
                float bound = (nonNegative ? 0.5f : 1f) * scale * (1 + 1e-5f) + 1e-6f;
                Assert.True(error <= bound, $"x[{i},{p}] = {x[i * width + p]} -> {restored} (scale {scale}, zero {zero})");
            }
        }
        Assert.All(Enumerable.Range(0, width), p => Assert.Equal(0, q[9, p]));
        Assert.Equal(0, q.Zero[9]);
    }

    [Fact]
    public void Weights_round_trip_within_half_a_step_per_output()
    {
        const int outputs = 70, inputs = 45;
        var random = new Random(4);
        float[] w = RealMatrix(random, outputs * inputs, -0.3f, 0.3f);
        Array.Clear(w, 3 * inputs, inputs); // an all-zero output
        using var q = new QuantizedWeights(outputs, inputs);
        q.Quantize(w);
        for (int j = 0; j < outputs; j++)
        {
            int sum = 0;
            for (int p = 0; p < inputs; p++)
            {
                sbyte value = q[j, p];
                Assert.InRange(value, (sbyte)-127, (sbyte)127);
                sum += value;
                Assert.True(MathF.Abs(q.Scale[j] * value - w[j * inputs + p]) <= 0.5f * q.Scale[j] * (1 + 1e-5f) + 1e-9f);
            }
            Assert.Equal(sum, q.ColumnSum[j]);
            Assert.Contains(Enumerable.Range(0, inputs), p => j == 3 || Math.Abs((int)q[j, p]) == 127);
        }
        Assert.Equal(0f, q.Scale[3]);
    }

    /// <summary>
    /// Against the FP32 layer (computed in double): with x = x' + ex, |ex| &lt;= Sa (half that for rows without
    /// negatives), and w = w' + ew, |ew| &lt;= Sw/2, the exact product of the restored operands differs from x.w by at
    /// most sum_k |ex_k| |w_k| + |x'_k| |ew_k|; the epilogue adds a few FP32 roundings. ReLU cannot increase an error.
    /// </summary>
    [Fact]
    public void Real_inputs_stay_within_the_bound_the_quantization_steps_imply()
    {
        const int m = 96, n = 70, k = 367;
        var random = new Random(8);
        float[] x = RealMatrix(random, m * k, -2f, 5f), w = RealMatrix(random, n * k, -0.1f, 0.1f), bias = RealMatrix(random, n, -1f, 1f);
        for (int p = 0; p < m * k / 2; p++) x[p] = MathF.Max(x[p], 0f); // first half of the rows as ReLU outputs
        float[] actual = Product(_pool, Int8MicroKernel.Best, x, w, m, n, k, bias, relu: true);

        using var qx = new QuantizedActivations(m, k);
        qx.Quantize(_pool, x, m, k);
        using var qw = new QuantizedWeights(n, k);
        qw.Quantize(w);
        double worst = 0;
        for (int i = 0; i < m; i++)
        {
            bool nonNegative = x.AsSpan(i * k, k).ToArray().All(v => v >= 0);
            double stepX = (nonNegative ? 0.5 : 1.0) * qx.Scale[i];
            for (int j = 0; j < n; j++)
            {
                double exact = bias[j], bound = 0, magnitude = Math.Abs(bias[j]);
                for (int p = 0; p < k; p++)
                {
                    double xv = x[i * k + p], wv = w[j * k + p];
                    exact += xv * wv;
                    bound += stepX * Math.Abs(wv) + (Math.Abs(xv) + stepX) * 0.5 * qw.Scale[j];
                    magnitude += Math.Abs(xv * wv);
                }
                exact = Math.Max(exact, 0);
                double error = Math.Abs(actual[i * n + j] - exact);
                Assert.True(error <= bound + 1e-5 * magnitude, $"C[{i},{j}] = {actual[i * n + j]} vs {exact}: error {error} > bound {bound}");
                worst = Math.Max(worst, error / bound);
            }
        }
        // The bound is not vacuous: errors are a sizeable fraction of it somewhere, and far below it typically.
        Assert.InRange(worst, 0.01, 1.0);
    }

    internal static float[] Product(WorkerPool pool, Int8MicroKernel kernel, float[] x, float[] w, int m, int n, int k, float[] bias, bool relu)
    {
        using var qx = new QuantizedActivations(m, k);
        using var qw = new QuantizedWeights(n, k);
        using var gemm = new Int8Gemm(pool, kernel);
        qx.Quantize(pool, x, m, k);
        qw.Quantize(w);
        var c = new float[m * n];
        gemm.Multiply(qx, qw, bias, relu, c, n);
        return c;
    }

    private static float[] IntegerMatrix(Random random, int rows, int cols, int min, int max, int anchor)
    {
        var a = new float[rows * cols];
        for (int i = 0; i < a.Length; i++) a[i] = random.Next(min, max + 1);
        for (int r = 0; r < rows; r++) a[r * cols + random.Next(cols)] = anchor;
        return a;
    }

    private static float[] RealMatrix(Random random, int count, float min, float max)
    {
        var a = new float[count];
        for (int i = 0; i < count; i++) a[i] = min + (max - min) * random.NextSingle();
        return a;
    }
}
