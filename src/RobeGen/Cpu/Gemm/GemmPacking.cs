using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RobeGen.Cpu.Gemm;

/// <summary>
/// Copies slices of op(B) into the panel order the micro-kernel reads: panels of NR columns stored step by step
/// (b[p*NR + j]). Columns past the edge of the matrix are zero, so the kernel always computes full tiles. The
/// transposing pack moves 8 x 8 blocks through AVX registers where it can. (A is never packed: the kernel reads it in
/// place, row-major or transposed, through its strides.)
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>One NR-wide panel of B stored row-major [k x n] with stride ldb: steps p0 .. p0+kc, columns j0 .. j0+cols.</summary>
    public static void PackBPanel(float* b, int ldb, int p0, int kc, int j0, int cols, int nr, float* panel)
    {
        for (int p = 0; p < kc; p++)
            CopyPadded(b + (long)(p0 + p) * ldb + j0, panel + p * nr, cols, nr);
    }

    /// <summary>One NR-wide panel of B given as its transpose, stored row-major [n x k] with stride ldb
    /// (op(B)[p, j] = b[j*ldb + p]): the weight matrix [out, in] of a forward pass.</summary>
    public static void PackBTransposedPanel(float* b, int ldb, int p0, int kc, int j0, int cols, int nr, float* panel)
    {
        int j = 0;
        if (Avx.IsSupported)
        {
            for (; j + 8 <= cols; j += 8)
            {
                float* src = b + (long)(j0 + j) * ldb + p0;
                int p = 0;
                for (; p + 8 <= kc; p += 8) Transpose8x8(src + p, ldb, panel + p * nr + j, nr);
                TransposeScalar(src + p, ldb, 8, kc - p, panel + p * nr + j, nr);
            }
        }
        TransposeScalar(b + (long)(j0 + j) * ldb + p0, ldb, cols - j, kc, panel + j, nr);
        for (int c = cols; c < nr; c++)
            for (int p = 0; p < kc; p++) panel[p * nr + c] = 0f;
    }

    /// <summary>dst[p * dstStride + r] = src[r * srcStride + p] for r &lt; rows, p &lt; steps.</summary>
    private static void TransposeScalar(float* src, int srcStride, int rows, int steps, float* dst, int dstStride)
    {
        for (int r = 0; r < rows; r++)
        {
            float* s = src + (long)r * srcStride;
            float* d = dst + r;
            for (int p = 0; p < steps; p++) d[p * dstStride] = s[p];
        }
    }

    /// <summary>The 8 x 8 case of <see cref="TransposeScalar"/> in AVX registers (unpack, shuffle, swap 128-bit lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, int srcStride, float* dst, int dstStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(src);
        Vector256<float> r1 = Avx.LoadVector256(src + srcStride);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * srcStride);
        Vector256<float> r3 = Avx.LoadVector256(src + 3 * srcStride);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * srcStride);
        Vector256<float> r5 = Avx.LoadVector256(src + 5 * srcStride);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * srcStride);
        Vector256<float> r7 = Avx.LoadVector256(src + 7 * srcStride);

        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>dst[0 .. width) = src[0 .. count) then zeros. Full rows (the common case) move in vector registers:
    /// a library copy call would cost more than these 8 or 32 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPadded(float* src, float* dst, int count, int width)
    {
        int i = 0;
        if (count == width)
        {
            for (; i + 8 <= width; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        }
        for (; i < count; i++) dst[i] = src[i];
        for (; i < width; i++) dst[i] = 0f;
    }
}
