using ILGPU;
using ILGPU.Runtime;
using RobeGen.Cuda;

namespace RobeGen.Tests.Cuda;

/// <summary>The reference GEMM (which stands in for cuBLAS on the CPU accelerator) against a naive host loop.</summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public class KernelGemmTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    private readonly GpuDevice _device = fixture.Device;

    [Theory]
    [InlineData(false, false, 1, 1, 1)]
    [InlineData(false, true, 7, 13, 5)]
    [InlineData(true, false, 7, 13, 5)]
    [InlineData(true, true, 9, 4, 11)]
    [InlineData(false, true, 3, 6, 0)]
    public void Matches_a_naive_row_major_product(bool transA, bool transB, int m, int n, int k)
    {
        var random = new Random(m * 100 + n * 10 + k);
        int lda = (transA ? m : k) + 2, ldb = (transB ? k : n) + 1, ldc = n + 3; // padded leading dimensions
        float[] a = RandomArray(random, (transA ? k : m) * lda), b = RandomArray(random, (transB ? n : k) * ldb), c = RandomArray(random, m * ldc);
        float alpha = 0.75f, beta = 0.5f;
        var expected = (float[])c.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                expected[i * ldc + j] = (float)(alpha * sum + beta * c[i * ldc + j]);
            }

        var actual = Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, batch: 1);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], tolerance: 1e-5 * (1 + Math.Abs(expected[i])));
    }

    [Fact]
    public void Beta_zero_ignores_nan_in_the_output()
    {
        var result = Run(false, false, 2, 2, 1, 1f, [1, 2], 1, [3, 4], 2, 0f, [float.NaN, float.NaN, float.NaN, float.NaN], 2, 1);
        Assert.Equal(new float[] { 3, 4, 6, 8 }, result);
    }

    [Fact]
    public void Strided_batches_are_independent_products()
    {
        // Two 2x2 products A_i B_i^T stored back to back: the interaction's V V^T shape.
        float[] v = [1, 2, 3, 4, /* batch 1 */ 5, 6, 7, 8];
        using var va = _device.Accelerator.Allocate1D(v);
        using var vc = _device.Accelerator.Allocate1D<float>(8);
        _device.Gemm.GemmStridedBatched(false, true, 2, 2, 2, 1f, va.View, 2, 4, va.View, 2, 4, 0f, vc.View, 2, 4, 2);
        _device.Synchronize();
        Assert.Equal(new float[] { 5, 11, 11, 25, 61, 83, 83, 113 }, vc.GetAsArray1D());
    }

    [Fact]
    public void Short_views_are_refused_before_any_launch()
    {
        using var small = _device.Accelerator.Allocate1D<float>(3);
        var error = Assert.Throws<ArgumentException>(() =>
            _device.Gemm.Gemm(false, false, 2, 2, 2, 1f, small.View, 2, small.View, 2, 0f, small.View, 2));
        Assert.Contains("A needs 4 elements", error.Message);
    }

    private float[] Run(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
        float beta, float[] c, int ldc, int batch)
    {
        using var da = _device.Accelerator.Allocate1D(a.Length == 0 ? [0f] : a);
        using var db = _device.Accelerator.Allocate1D(b.Length == 0 ? [0f] : b);
        using var dc = _device.Accelerator.Allocate1D(c);
        _device.Gemm.Gemm(transA, transB, m, n, k, alpha, da.View, lda, db.View, ldb, beta, dc.View, ldc);
        _device.Synchronize();
        return dc.GetAsArray1D();
    }

    private static float[] RandomArray(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
