using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RobeGen.Cpu.Quantized;

/// <summary>
/// AVX-512BW kernel: an 8 x 32 tile in 16 zmm int32 accumulators (two per row). Per quad it loads two weight
/// vectors (32 columns x 4 k), broadcasts each row's 4 activation bytes, and per (row, vector) runs vpmaddubsw
/// (u8 x s8 -> pairs summed to s16) then vpmaddwd against ones (pairs of s16 summed to s32) and adds: 64 multiply-adds
/// per three instructions, where an FP32 FMA does 16. (AVX-512 VNNI's vpdpbusd would fuse the three, but .NET 10
/// does not expose it on this CPU.)
/// </summary>
internal sealed unsafe class Int8Kernel512 : Int8MicroKernel
{
    public static bool IsSupported => Avx512BW.IsSupported;

    public override string Name => "AVX-512BW int8 8x32";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Compute(int quads, byte* activations, int rows, sbyte* weights, int* tile)
    {
        if (rows == MR) ComputeFull(quads, activations, weights, tile);
        else for (int r = 0; r < rows; r++) ComputeRow(quads, activations + r * KStep, weights, tile + r * NR);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeFull(int quads, byte* a, sbyte* w, int* tile)
    {
        Vector512<short> ones = Vector512.Create((short)1);
        Vector512<int> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<int> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<int> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<int> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int q = 0; q < quads; q++)
        {
            Vector512<sbyte> w0 = Vector512.Load(w);
            Vector512<sbyte> w1 = Vector512.Load(w + 64);
            Vector512<byte> ai = Vector512.Create(*(int*)a).AsByte();
            c00 += Dot4(ai, w0, ones);
            c01 += Dot4(ai, w1, ones);
            ai = Vector512.Create(*(int*)(a + 4)).AsByte();
            c10 += Dot4(ai, w0, ones);
            c11 += Dot4(ai, w1, ones);
            ai = Vector512.Create(*(int*)(a + 8)).AsByte();
            c20 += Dot4(ai, w0, ones);
            c21 += Dot4(ai, w1, ones);
            ai = Vector512.Create(*(int*)(a + 12)).AsByte();
            c30 += Dot4(ai, w0, ones);
            c31 += Dot4(ai, w1, ones);
            ai = Vector512.Create(*(int*)(a + 16)).AsByte();
            c40 += Dot4(ai, w0, ones);
            c41 += Dot4(ai, w1, ones);
            ai = Vector512.Create(*(int*)(a + 20)).AsByte();
            c50 += Dot4(ai, w0, ones);
            c51 += Dot4(ai, w1, ones);
            ai = Vector512.Create(*(int*)(a + 24)).AsByte();
            c60 += Dot4(ai, w0, ones);
            c61 += Dot4(ai, w1, ones);
            ai = Vector512.Create(*(int*)(a + 28)).AsByte();
            c70 += Dot4(ai, w0, ones);
            c71 += Dot4(ai, w1, ones);
            a += ActivationQuadBytes;
            w += WeightQuadBytes;
        }
        c00.Store(tile); c01.Store(tile + 16);
        c10.Store(tile + 32); c11.Store(tile + 48);
        c20.Store(tile + 64); c21.Store(tile + 80);
        c30.Store(tile + 96); c31.Store(tile + 112);
        c40.Store(tile + 128); c41.Store(tile + 144);
        c50.Store(tile + 160); c51.Store(tile + 176);
        c60.Store(tile + 192); c61.Store(tile + 208);
        c70.Store(tile + 224); c71.Store(tile + 240);
    }

    /// <summary>One row (single-row predictions, the last rows of a batch): a's quads are ActivationQuadBytes apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeRow(int quads, byte* a, sbyte* w, int* row)
    {
        Vector512<short> ones = Vector512.Create((short)1);
        Vector512<int> c0 = default, c1 = default;
        for (int q = 0; q < quads; q++)
        {
            Vector512<byte> ai = Vector512.Create(*(int*)a).AsByte();
            c0 += Dot4(ai, Vector512.Load(w), ones);
            c1 += Dot4(ai, Vector512.Load(w + 64), ones);
            a += ActivationQuadBytes;
            w += WeightQuadBytes;
        }
        c0.Store(row);
        c1.Store(row + 16);
    }

    /// <summary>Per 32-bit lane: the sum of its four u8 x s8 products (exact for the operand ranges of the contract).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot4(Vector512<byte> a, Vector512<sbyte> w, Vector512<short> ones) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(a, w), ones);
}
