using RobeGen.Cpu.Gemm;
using RobeGen.Cpu.Threading;

namespace RobeGen.Tests.Cpu;

public sealed class SgemmTests : IDisposable
{
    private readonly WorkerPool _pool = new(2);

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 7, 13, 5 }, { 8, 32, 1 }, { 9, 33, 17 }, { 16, 16, 16 }, { 129, 65, 33 },
        { 33, 1, 300 }, { 1, 257, 20 }, { 64, 600, 7 }, { 72, 50, 513 }, { 140, 40, 260 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_naive_product_in_every_transposition_mode(int m, int n, int k)
    {
        foreach (MicroKernel kernel in Kernels())
        {
            using var gemm = new Sgemm(_pool, kernel);
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                    foreach (bool accumulate in new[] { false, true })
                        Check(gemm, kernel, m, n, k, transA, transB, accumulate, withBias: false, relu: false);
        }
    }

    [Theory]
    [InlineData(7, 13, 5)]
    [InlineData(129, 65, 300)]
    [InlineData(64, 40, 0)]
    public void Applies_bias_and_relu_after_the_full_sum(int m, int n, int k)
    {
        foreach (MicroKernel kernel in Kernels())
        {
            using var gemm = new Sgemm(_pool, kernel);
            Check(gemm, kernel, m, n, k, transA: false, transB: true, accumulate: false, withBias: true, relu: true);
            Check(gemm, kernel, m, n, k, transA: false, transB: true, accumulate: true, withBias: true, relu: true);
            Check(gemm, kernel, m, n, k, transA: true, transB: false, accumulate: false, withBias: true, relu: false);
        }
    }

    [Fact]
    public void One_thread_and_two_threads_give_identical_bits()
    {
        const int m = 300, n = 200, k = 700;
        float[] a = Random(m * k, 1), b = Random(n * k, 2);
        using var single = new WorkerPool(1);
        using var g1 = new Sgemm(single);
        using var g2 = new Sgemm(_pool);
        // Every mode: a transposed B is packed, A and a plain B are read in place (with a partial last panel).
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
            {
                var c1 = new float[m * n];
                var c2 = new float[m * n];
                g1.Multiply(transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, c1, n);
                g2.Multiply(transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, c2, n);
                Assert.Equal(c1, c2);
            }
    }

    [Fact]
    public void Large_panel_counts_are_grouped_into_packing_items()
    {
        // 12 K blocks x 94 panels of 32 columns: more than 1024 panels, so packing items hold two panels each.
        const int m = 9, n = 3000, k = 2817;
        float[] a = Random(m * k, 1), b = Random(n * k, 2);
        var c = new float[m * n];
        using var gemm = new Sgemm(_pool);
        gemm.Multiply(false, true, m, n, k, a, k, b, k, c, n);
        for (int i = 0; i < m; i += 4)
            for (int j = 0; j < n; j += 97)
            {
                double expected = 0;
                for (int p = 0; p < k; p++) expected += (double)a[i * k + p] * b[j * k + p];
                Assert.Equal(expected, c[i * n + j], 1e-3);
            }
    }

    [Fact]
    public void Respects_leading_dimensions_and_leaves_the_rest_of_C_alone()
    {
        // Sub-matrices of larger arrays, as when a layer writes into a column slice of a wider buffer.
        const int m = 19, n = 21, k = 23, lda = 30, ldb = 40, ldc = 50;
        float[] a = Random(m * lda, 3), b = Random(k * ldb, 4);
        float[] c = Random(m * ldc, 5);
        float[] before = (float[])c.Clone();
        using var gemm = new Sgemm(_pool);
        gemm.Multiply(false, false, m, n, k, a, lda, b, ldb, c, ldc);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < ldc; j++)
            {
                if (j >= n) { Assert.Equal(before[i * ldc + j], c[i * ldc + j]); continue; }
                double expected = 0;
                for (int p = 0; p < k; p++) expected += (double)a[i * lda + p] * b[p * ldb + j];
                Assert.Equal(expected, c[i * ldc + j], 1e-4);
            }
    }

    [Fact]
    public void Rejects_operands_that_are_too_short()
    {
        using var gemm = new Sgemm(_pool);
        var c = new float[4];
        Assert.Throws<ArgumentException>(() => gemm.Multiply(false, false, 2, 2, 3, new float[5], 3, new float[6], 2, c, 2));
    }

    [Theory]
    [InlineData(1, 300, 13)]
    [InlineData(3, 64, 520)]
    [InlineData(7, 33, 40)]
    [InlineData(8, 512, 367)]
    [InlineData(130, 70, 300)]
    public void Prepacked_operand_gives_the_bits_of_the_plain_product(int m, int n, int k)
    {
        foreach (MicroKernel kernel in Kernels())
        {
            using var gemm = new Sgemm(_pool, kernel);
            using var packed = new PackedMatrix();
            float[] w = Random(n * k, 11), bias = Random(n, 12);
            gemm.Pack(transB: true, n, k, w, k, packed);
            // The same panels serve several products (the weights did not change).
            foreach (int seed in new[] { 13, 14 })
            {
                float[] x = Random(m * k, seed);
                var expected = new float[m * n];
                var actual = new float[m * n];
                gemm.Multiply(false, true, m, n, k, x, k, w, k, expected, n, accumulate: false, bias, relu: true);
                gemm.MultiplyPacked(m, x, k, packed, actual, n, accumulate: false, bias, relu: true);
                Assert.Equal(expected, actual);
            }
        }
    }

    [Theory]
    [InlineData(40, 13)]
    [InlineData(300, 367)]
    public void A_row_gets_the_same_bits_alone_as_inside_a_batch(int n, int k)
    {
        // Single-row predictions take the one-row kernel, batches the tile kernel: they must agree exactly.
        const int m = 21;
        foreach (MicroKernel kernel in Kernels())
        {
            using var gemm = new Sgemm(_pool, kernel);
            float[] x = Random(m * k, 21), w = Random(n * k, 22), bias = Random(n, 23);
            var batch = new float[m * n];
            gemm.Multiply(false, true, m, n, k, x, k, w, k, batch, n, accumulate: false, bias, relu: true);
            var row = new float[n];
            for (int i = 0; i < m; i++)
            {
                gemm.Multiply(false, true, 1, n, k, x.AsSpan(i * k, k), k, w, k, row, n, accumulate: false, bias, relu: true);
                Assert.Equal(batch.AsSpan(i * n, n).ToArray(), row);
            }
        }
    }

    private static IEnumerable<MicroKernel> Kernels()
    {
        yield return new KernelVector();
        if (Kernel512.IsSupported) yield return new Kernel512();
    }

    private static void Check(Sgemm gemm, MicroKernel kernel, int m, int n, int k, bool transA, bool transB,
        bool accumulate, bool withBias, bool relu)
    {
        // Odd strides (not equal to the logical width) catch indexing mistakes in the packing.
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 1;
        float[] a = Random((transA ? k : m) * lda + 1, m * 31 + n);
        float[] b = Random((transB ? n : k) * ldb + 1, k * 17 + 1);
        float[] c = Random(m * ldc, 7);
        float[] bias = withBias ? Random(n, 8) : [];
        float[] c0 = (float[])c.Clone();

        gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, relu);

        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? c0[i * ldc + j] : 0;
                double magnitude = Math.Abs(sum);
                for (int p = 0; p < k; p++)
                {
                    double term = (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                if (withBias) sum += bias[j];
                if (relu) sum = Math.Max(sum, 0);
                double tolerance = 1e-6 * (magnitude + 1);
                double actual = c[i * ldc + j];
                Assert.True(Math.Abs(actual - sum) <= tolerance,
                    $"{kernel.Name} m={m} n={n} k={k} tA={transA} tB={transB} acc={accumulate}: C[{i},{j}] = {actual}, expected {sum}");
            }
    }

    internal static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    public void Dispose() => _pool.Dispose();
}
