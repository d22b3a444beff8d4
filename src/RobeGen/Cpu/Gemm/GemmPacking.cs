using System.Runtime.CompilerServices;

namespace RobeGen.Cpu.Gemm;

/// <summary>
/// Copies slices of the operands into the panel order the micro-kernel reads: A in panels of MR rows stored step by
/// step (a[p*MR + r]), B in panels of NR columns stored step by step (b[p*NR + j]). Rows or columns past the edge of
/// the matrix are zero, so the kernel always computes full tiles.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>A stored row-major [m x k] with stride lda: rows i0 .. i0+mc, steps p0 .. p0+kc.</summary>
    public static void PackA(float* a, int lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* panel = dst + ir * kc;
            for (int r = 0; r < rows; r++)
            {
                float* src = a + (long)(i0 + ir + r) * lda + p0;
                float* d = panel + r;
                for (int p = 0; p < kc; p++) d[p * mr] = src[p];
            }
            for (int r = rows; r < mr; r++)
            {
                float* d = panel + r;
                for (int p = 0; p < kc; p++) d[p * mr] = 0f;
            }
        }
    }

    /// <summary>A given as its transpose, stored row-major [k x m] with stride lda (op(A)[i, p] = a[p*lda + i]).</summary>
    public static void PackATransposed(float* a, int lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* panel = dst + ir * kc;
            for (int p = 0; p < kc; p++)
                CopyPadded(a + (long)(p0 + p) * lda + i0 + ir, panel + p * mr, rows, mr);
        }
    }

    /// <summary>B stored row-major [k x n] with stride ldb: steps p0 .. p0+kc, columns j0 .. j0+nc.</summary>
    public static void PackB(float* b, int ldb, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + jr * kc;
            for (int p = 0; p < kc; p++)
                CopyPadded(b + (long)(p0 + p) * ldb + j0 + jr, panel + p * nr, cols, nr);
        }
    }

    /// <summary>B given as its transpose, stored row-major [n x k] with stride ldb (op(B)[p, j] = b[j*ldb + p]):
    /// the weight matrix [out, in] of a forward pass.</summary>
    public static void PackBTransposed(float* b, int ldb, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + jr * kc;
            for (int j = 0; j < cols; j++)
            {
                float* src = b + (long)(j0 + jr + j) * ldb + p0;
                float* d = panel + j;
                for (int p = 0; p < kc; p++) d[p * nr] = src[p];
            }
            for (int j = cols; j < nr; j++)
            {
                float* d = panel + j;
                for (int p = 0; p < kc; p++) d[p * nr] = 0f;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPadded(float* src, float* dst, int count, int width)
    {
        Buffer.MemoryCopy(src, dst, width * sizeof(float), count * sizeof(float));
        for (int i = count; i < width; i++) dst[i] = 0f;
    }
}
