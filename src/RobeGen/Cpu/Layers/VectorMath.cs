using System.Numerics;
using System.Runtime.CompilerServices;

namespace RobeGen.Cpu.Layers;

/// <summary>Short-vector kernels for the per-sample loops (embedding-width vectors, called millions of times a step,
/// where a library call's fixed cost would dominate).</summary>
internal static unsafe class VectorMath
{
    /// <summary>Sum of x[i] * y[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* x, float* y, int length)
    {
        int w = Vector<float>.Count;
        int i = 0;
        Vector<float> acc = Vector<float>.Zero;
        for (; i <= length - w; i += w)
            acc = Vector.FusedMultiplyAdd(Vector.Load(x + i), Vector.Load(y + i), acc);
        float sum = Vector.Sum(acc);
        for (; i < length; i++) sum = MathF.FusedMultiplyAdd(x[i], y[i], sum);
        return sum;
    }

    /// <summary>y[i] += a * x[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float a, float* x, float* y, int length)
    {
        int w = Vector<float>.Count;
        int i = 0;
        var va = new Vector<float>(a);
        for (; i <= length - w; i += w)
            Vector.Store(Vector.FusedMultiplyAdd(va, Vector.Load(x + i), Vector.Load(y + i)), y + i);
        for (; i < length; i++) y[i] = MathF.FusedMultiplyAdd(a, x[i], y[i]);
    }
}
