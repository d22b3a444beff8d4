using ILGPU;
using ILGPU.Runtime;
using RobeGen.Cuda;
using RobeGen.Cuda.Blas;
using RobeGen.Lab.Equivalence;

using RobeGen.Lab.Benchmarking;

namespace RobeGen.Cli.Commands.Check;

/// <summary>
/// The device's GEMM (cuBLAS on a GPU) against the plain ILGPU reference GEMM on the same device, for every
/// transposition and the strided-batched form: proves the row-major to column-major mapping on the real library.
/// </summary>
internal static class CublasCheck
{
    public static EquivalenceReport Run(GpuDevice device)
    {
        var report = new EquivalenceReport($"{device.Gemm.Name} vs ILGPU reference GEMM on {device.Name}");
        using var reference = new KernelGemm(device.Accelerator, device.Stream);
        var random = new Random(11);
        foreach (var (m, n, k) in new[] { (7, 13, 5), (129, 65, 33), (256, 512, 367) })
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                {
                    int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 1, ldc = n + 2;
                    float[] a = RandomArray(random, (transA ? k : m) * lda), b = RandomArray(random, (transB ? n : k) * ldb), c = RandomArray(random, m * ldc);
                    float[] expected = Run(device, reference, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, 1, 0, 0, 0);
                    float[] actual = Run(device, device.Gemm, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, 1, 0, 0, 0);
                    report.CompareTensors($"gemm {(transA ? "T" : "N")}{(transB ? "T" : "N")} {m}x{n}x{k}", expected, actual, 1e-5);
                }
        {
            // The interaction's shapes: V V^T and S V over 33 samples of 27 vectors of width 128.
            int batch = 33, vectors = 27, dim = 128;
            float[] v = RandomArray(random, batch * vectors * dim), s = RandomArray(random, batch * vectors * vectors);
            float[] zeros = new float[batch * vectors * vectors];
            report.CompareTensors("batched V V^T 33 x 27x27x128",
                Run(device, reference, false, true, vectors, vectors, dim, v, dim, v, dim, zeros, vectors, batch, vectors * dim, vectors * dim, vectors * vectors),
                Run(device, device.Gemm, false, true, vectors, vectors, dim, v, dim, v, dim, zeros, vectors, batch, vectors * dim, vectors * dim, vectors * vectors), 1e-5);
            float[] zerosV = new float[batch * vectors * dim];
            report.CompareTensors("batched S V 33 x 27x128x27",
                Run(device, reference, false, false, vectors, dim, vectors, s, vectors, v, dim, zerosV, dim, batch, vectors * vectors, vectors * dim, vectors * dim),
                Run(device, device.Gemm, false, false, vectors, dim, vectors, s, vectors, v, dim, zerosV, dim, batch, vectors * vectors, vectors * dim, vectors * dim), 1e-5);
        }
        return report;
    }

    private static float[] Run(GpuDevice device, IGpuGemm gemm, bool transA, bool transB, int m, int n, int k,
        float[] a, int lda, float[] b, int ldb, float[] c, int ldc, int batch, long strideA, long strideB, long strideC)
    {
        using var da = device.Accelerator.Allocate1D(a);
        using var db = device.Accelerator.Allocate1D(b);
        using var dc = device.Accelerator.Allocate1D(c);
        if (batch == 1) gemm.Gemm(transA, transB, m, n, k, 0.75f, da.View, lda, db.View, ldb, 0.5f, dc.View, ldc);
        else gemm.GemmStridedBatched(transA, transB, m, n, k, 1f, da.View, lda, strideA, db.View, ldb, strideB, 0f, dc.View, ldc, strideC, batch);
        device.Synchronize();
        return dc.GetAsArray1D();
    }

    private static float[] RandomArray(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
