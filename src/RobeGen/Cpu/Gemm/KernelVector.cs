using System.Numerics;
using System.Runtime.CompilerServices;

namespace RobeGen.Cpu.Gemm;

/// <summary>
/// Portable micro-kernel on <see cref="Vector{T}"/> (AVX2 on x64 without AVX-512, NEON on Arm): a 6 x 2W tile
/// (W = Vector&lt;float&gt;.Count) in 12 vector accumulators.
/// </summary>
internal sealed unsafe class KernelVector : MicroKernel
{
    public override int MR => 6;
    public override int NR => 2 * Vector<float>.Count;
    public override string Name => $"Vector<float> 6x{NR}";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Compute(int kc, float* a, int aRow, int aStep, int rows, float* b, int ldb, float* c, int ldc,
        bool add, float* bias, bool relu)
    {
        int w = Vector<float>.Count;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // Rows past the last valid one re-read it (their results are discarded), so nothing outside A is touched.
        int last = rows - 1;
        float* a0 = a, a1 = a + (long)Math.Min(1, last) * aRow, a2 = a + (long)Math.Min(2, last) * aRow;
        float* a3 = a + (long)Math.Min(3, last) * aRow, a4 = a + (long)Math.Min(4, last) * aRow;
        float* a5 = a + (long)Math.Min(5, last) * aRow;

        for (long p = 0, end = (long)kc * aStep; p < end; p += aStep)
        {
            Vector<float> b0 = Vector.Load(b);
            Vector<float> b1 = Vector.Load(b + w);
            Vector<float> ai = new(a0[p]);
            c00 = Vector.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector.FusedMultiplyAdd(ai, b1, c01);
            ai = new(a1[p]);
            c10 = Vector.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector.FusedMultiplyAdd(ai, b1, c11);
            ai = new(a2[p]);
            c20 = Vector.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector.FusedMultiplyAdd(ai, b1, c21);
            ai = new(a3[p]);
            c30 = Vector.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector.FusedMultiplyAdd(ai, b1, c31);
            ai = new(a4[p]);
            c40 = Vector.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector.FusedMultiplyAdd(ai, b1, c41);
            ai = new(a5[p]);
            c50 = Vector.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector.FusedMultiplyAdd(ai, b1, c51);
            b += ldb;
        }

        Vector<float> bias0 = bias == null ? default : Vector.Load(bias);
        Vector<float> bias1 = bias == null ? default : Vector.Load(bias + w);
        Store(c, w, add, bias0, bias1, relu, c00, c01);
        Store(c + ldc, w, add, bias0, bias1, relu, c10, c11);
        Store(c + 2 * ldc, w, add, bias0, bias1, relu, c20, c21);
        Store(c + 3 * ldc, w, add, bias0, bias1, relu, c30, c31);
        Store(c + 4 * ldc, w, add, bias0, bias1, relu, c40, c41);
        Store(c + 5 * ldc, w, add, bias0, bias1, relu, c50, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void ComputeRow(int kc, float* a, float* b, float* c, bool add, float* bias, bool relu)
    {
        int w = Vector<float>.Count;
        Vector<float> c0 = default, c1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector<float> ai = new(a[p]);
            c0 = Vector.FusedMultiplyAdd(ai, Vector.Load(b), c0);
            c1 = Vector.FusedMultiplyAdd(ai, Vector.Load(b + w), c1);
            b += 2 * w;
        }
        Vector<float> bias0 = bias == null ? default : Vector.Load(bias);
        Vector<float> bias1 = bias == null ? default : Vector.Load(bias + w);
        Store(c, w, add, bias0, bias1, relu, c0, c1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, int w, bool add, Vector<float> bias0, Vector<float> bias1, bool relu,
        Vector<float> v0, Vector<float> v1)
    {
        if (add)
        {
            v0 += Vector.Load(row);
            v1 += Vector.Load(row + w);
        }
        v0 += bias0;
        v1 += bias1;
        if (relu)
        {
            v0 = Vector.Max(v0, Vector<float>.Zero);
            v1 = Vector.Max(v1, Vector<float>.Zero);
        }
        Vector.Store(v0, row);
        Vector.Store(v1, row + w);
    }
}
