using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RobeGen.Cpu.Gemm;

/// <summary>
/// AVX-512 micro-kernel: an 8 x 32 tile of C lives in 16 zmm accumulators (two per row); each step loads two
/// vectors of B, broadcasts 8 values of A and issues 16 FMAs.
/// </summary>
internal sealed unsafe class Kernel512 : MicroKernel
{
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    public override int MR => 8;
    public override int NR => 32;
    public override string Name => "AVX-512 8x32";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Compute(int kc, float* a, int aRow, int aStep, int rows, float* b, int ldb, float* c, int ldc,
        bool add, float* bias, bool relu)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        // Rows past the last valid one re-read it (their results are discarded), so nothing outside A is touched.
        int last = rows - 1;
        float* a0 = a, a1 = a + (long)Math.Min(1, last) * aRow, a2 = a + (long)Math.Min(2, last) * aRow;
        float* a3 = a + (long)Math.Min(3, last) * aRow, a4 = a + (long)Math.Min(4, last) * aRow;
        float* a5 = a + (long)Math.Min(5, last) * aRow, a6 = a + (long)Math.Min(6, last) * aRow;
        float* a7 = a + (long)Math.Min(7, last) * aRow;

        for (long p = 0, end = (long)kc * aStep; p < end; p += aStep)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> ai = Vector512.Create(a0[p]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a1[p]);
            c10 = Vector512.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a2[p]);
            c20 = Vector512.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a3[p]);
            c30 = Vector512.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a4[p]);
            c40 = Vector512.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a5[p]);
            c50 = Vector512.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a6[p]);
            c60 = Vector512.FusedMultiplyAdd(ai, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a7[p]);
            c70 = Vector512.FusedMultiplyAdd(ai, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(ai, b1, c71);
            b += ldb;
        }

        Vector512<float> bias0 = bias == null ? default : Vector512.Load(bias);
        Vector512<float> bias1 = bias == null ? default : Vector512.Load(bias + 16);
        Store(c, add, bias0, bias1, relu, c00, c01);
        Store(c + ldc, add, bias0, bias1, relu, c10, c11);
        Store(c + 2 * ldc, add, bias0, bias1, relu, c20, c21);
        Store(c + 3 * ldc, add, bias0, bias1, relu, c30, c31);
        Store(c + 4 * ldc, add, bias0, bias1, relu, c40, c41);
        Store(c + 5 * ldc, add, bias0, bias1, relu, c50, c51);
        Store(c + 6 * ldc, add, bias0, bias1, relu, c60, c61);
        Store(c + 7 * ldc, add, bias0, bias1, relu, c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void ComputeRow(int kc, float* a, float* b, float* c, bool add, float* bias, bool relu)
    {
        // Two independent chains would halve the FMA latency bound, but each element must keep its single chain
        // over p (the tile kernel's order); the loads of B, not the FMAs, bound this loop anyway.
        Vector512<float> c0 = default, c1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> ai = Vector512.Create(a[p]);
            c0 = Vector512.FusedMultiplyAdd(ai, Vector512.Load(b), c0);
            c1 = Vector512.FusedMultiplyAdd(ai, Vector512.Load(b + 16), c1);
            b += 32;
        }
        Vector512<float> bias0 = bias == null ? default : Vector512.Load(bias);
        Vector512<float> bias1 = bias == null ? default : Vector512.Load(bias + 16);
        Store(c, add, bias0, bias1, relu, c0, c1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, bool add, Vector512<float> bias0, Vector512<float> bias1, bool relu,
        Vector512<float> v0, Vector512<float> v1)
    {
        if (add)
        {
            v0 += Vector512.Load(row);
            v1 += Vector512.Load(row + 16);
        }
        v0 += bias0;
        v1 += bias1;
        if (relu)
        {
            v0 = Vector512.Max(v0, Vector512<float>.Zero);
            v1 = Vector512.Max(v1, Vector512<float>.Zero);
        }
        Vector512.Store(v0, row);
        Vector512.Store(v1, row + 16);
    }
}
