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
        MatmulChecks(device, reference, report, random);
        return report;
    }

    /// <summary>
    /// IGpuGemm.Matmul (cuBLASLt on a GPU) against the reference, which rounds at the same points: F32 and TF32 with the fused
    /// bias+ReLU, and the bf16 shapes of a BF16 step (forward into bf16, dW into F32, dX into bf16, a cross layer's y into bf16),
    /// with the stock models' odd inner sizes (13 dense features, 479 interaction outputs) read through padded strides.
    /// </summary>
    private static void MatmulChecks(GpuDevice device, KernelGemm reference, EquivalenceReport report, Random random)
    {
        // (transA, transB, m, n, k, lda, ldb, ldc, A, B, C, epilogue, tf32, limit, name)
        var cases = new (bool TA, bool TB, int M, int N, int K, int Lda, int Ldb, int Ldc,
            ElementType A, ElementType B, ElementType C, GemmEpilogue E, bool Tf32, double Limit, string Name)[]
        {
            (false, true, 257, 1024, 479, 480, 479, 1024, ElementType.F32, ElementType.F32, ElementType.F32, GemmEpilogue.BiasRelu, false, 1e-5, "F32 forward bias+ReLU"),
            (false, true, 257, 1024, 479, 480, 479, 1024, ElementType.F32, ElementType.F32, ElementType.F32, GemmEpilogue.BiasRelu, true, 3e-3, "TF32 forward bias+ReLU"),
            (false, true, 257, 1024, 479, 480, 480, 1024, ElementType.Bf16, ElementType.Bf16, ElementType.Bf16, GemmEpilogue.BiasRelu, false, 1e-2,
                "BF16 forward bias+ReLU (top.0)"),
            (false, true, 257, 512, 13, 16, 16, 512, ElementType.Bf16, ElementType.Bf16, ElementType.Bf16, GemmEpilogue.BiasRelu, false, 1e-2, "BF16 forward k=13 (bottom.0)"),
            (true, false, 1024, 479, 257, 1024, 480, 479, ElementType.Bf16, ElementType.Bf16, ElementType.F32, GemmEpilogue.None, false, 1e-4, "BF16 dW = dY^T x into F32"),
            (false, false, 257, 480, 1024, 1024, 480, 480, ElementType.Bf16, ElementType.Bf16, ElementType.Bf16, GemmEpilogue.None, false, 1e-2, "BF16 dx = dY W into bf16"),
            (true, false, 512, 13, 257, 512, 16, 13, ElementType.Bf16, ElementType.Bf16, ElementType.F32, GemmEpilogue.None, false, 1e-4, "BF16 dW of bottom.0 (n=13)"),
            // A cross layer's y = h U^T + b: the bias epilogue without ReLU, into F32 (FP32 models) and into bf16 with the
            // bias's bf16 copy (BF16 models).
            (false, true, 257, 1024, 512, 512, 512, 1024, ElementType.F32, ElementType.F32, ElementType.F32, GemmEpilogue.Bias, false, 1e-5,
                "F32 cross y = h U^T + b"),
            (false, true, 257, 1024, 512, 512, 512, 1024, ElementType.Bf16, ElementType.Bf16, ElementType.Bf16, GemmEpilogue.Bias, false, 1e-2,
                "BF16 cross y = h U^T + b into bf16"),
        };
        foreach (var c in cases)
        {
            int aRows = c.TA ? c.K : c.M, bRows = c.TB ? c.N : c.K;
            float[] a = RandomArray(random, aRows * c.Lda), b = RandomArray(random, bRows * c.Ldb), bias = RandomArray(random, c.N);
            // The bias has C's type.
            float[] expected = RunMatmul(device, reference, c.TA, c.TB, c.M, c.N, c.K, a, c.Lda, c.A, b, c.Ldb, c.B, c.Ldc, c.C, c.E, bias, c.Tf32);
            float[] actual = RunMatmul(device, device.Gemm, c.TA, c.TB, c.M, c.N, c.K, a, c.Lda, c.A, b, c.Ldb, c.B, c.Ldc, c.C, c.E, bias, c.Tf32);
            report.CompareTensors($"matmul {c.Name}", expected, actual, c.Limit);
        }
    }

    private static float[] RunMatmul(GpuDevice device, IGpuGemm gemm, bool transA, bool transB, int m, int n, int k,
        float[] a, int lda, ElementType aType, float[] b, int ldb, ElementType bType, int ldc, ElementType cType, GemmEpilogue epilogue, float[] bias, bool tf32)
    {
        var buffers = new List<IDisposable>();
        DeviceMatrix Upload(float[] values, ElementType type)
        {
            if (type == ElementType.F32)
            {
                var f = device.Accelerator.Allocate1D(values);
                buffers.Add(f);
                return f.View;
            }
            var h = device.Accelerator.Allocate1D(values.Select(Cuda.Kernels.Bf16.FromFloat).ToArray());
            buffers.Add(h);
            return h.View;
        }
        try
        {
            DeviceMatrix da = Upload(a, aType), db = Upload(b, bType), dc = Upload(new float[m * ldc], cType);
            DeviceMatrix dBias = Upload(bias, cType);
            gemm.Matmul(transA, transB, m, n, k, 1f, da, lda, db, ldb, 0f, dc, ldc, epilogue, dBias, tf32);
            device.Synchronize();
            float[] result = new float[m * ldc];
            if (cType == ElementType.F32) dc.F32.CopyToCPU(device.Stream, result.AsSpan());
            else
            {
                var bits = new ushort[m * ldc];
                dc.Bf16.CopyToCPU(device.Stream, bits.AsSpan());
                result = bits.Select(Cuda.Kernels.Bf16.ToFloat).ToArray();
            }
            device.Synchronize();
            // Only the written columns: ldc may pad.
            return Enumerable.Range(0, m).SelectMany(r => result.Skip(r * ldc).Take(n)).ToArray();
        }
        finally
        {
            foreach (var buffer in buffers) buffer.Dispose();
        }
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
