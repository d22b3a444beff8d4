using ILGPU;

namespace RobeGen.Cuda.Kernels;

/// <summary>
/// Shapes of the dot interaction: n = tables + 1 vectors of width d per sample (the bottom output u, then the
/// embeddings), P = n(n-1)/2 pairs, and the row stride of R = [u, z] (the top MLP's input, padded with zeros to a
/// multiple of 8 columns for the tensor cores).
/// </summary>
internal readonly record struct InteractionShape(int Dim, int Tables, int OutputStride)
{
    public InteractionShape(int dim, int tables) : this(dim, tables, PadTo8(dim + (tables + 1) * tables / 2)) { }

    public int Vectors => Tables + 1;
    /// <summary>Row stride of u and du (the bottom MLP's output): d rounded up to 8, as every activation.</summary>
    public int UStride => PadTo8(Dim);
    public int Pairs => Vectors * (Vectors - 1) / 2;
    /// <summary>Width of the top MLP input R = [u, z] (without padding).</summary>
    public int OutputWidth => Dim + Pairs;
    /// <summary>Vectors rounded up to whole 4 x 4 tiles.</summary>
    public int PaddedVectors => (Vectors + 3) / 4 * 4;
    /// <summary>Row stride of the vectors in shared memory: odd, so the rows a warp reads at one coordinate fall in distinct banks.</summary>
    public int SharedStride => Dim | 1;
    /// <summary>Lower-triangle tiles (4 x 4 blocks of vector pairs, diagonal blocks included).</summary>
    public int Tiles => PaddedVectors / 4 * (PaddedVectors / 4 + 1) / 2;
    /// <summary>Floats of shared memory one sample takes in the backward kernel: its vectors, then S (n x n).</summary>
    public int BackwardSharedFloats => PaddedVectors * SharedStride + Vectors * Vectors;

    public static int PadTo8(int width) => (width + 7) / 8 * 8;
}

/// <summary>
/// The dot interaction, forward and backward each in ONE kernel: a warp per sample loads the sample's n vectors
/// (u from the bottom MLP, the embeddings from the gather's output) into shared memory once and computes everything
/// from there, so no assembled [B, n, d] copy, no n x n dot matrix and no pair-gradient matrix go through device
/// memory. Pair k of the DLRM tril order is (i, j), i > j, with k = i (i - 1) / 2 + j: (1,0), (2,0), (2,1), (3,0), ...
/// Launch with groups of <see cref="WarpsPerGroup"/> warps and the dynamic shared memory the methods below give.
/// </summary>
internal static class InteractionKernels
{
    /// <summary>Samples (warps) per group.</summary>
    public const int WarpsPerGroup = 2;

    /// <summary>
    /// R[b] = [u[b], z[b], 0...]: z the tril dots of the vectors, in the tril order; columns past d + P are zero.
    /// Each lane owns 4 x 4 tiles of (i, j) pairs (16 accumulators: one shared-memory load feeds 4 multiply-adds).
    /// </summary>
    public static void Forward(InteractionShape s, int batch, Activations u, ArrayView<float> embeddings, Activations r)
    {
        int warp = Group.IdxX / Warp.WarpSize, lane = Warp.LaneIdx;
        int sample = Grid.IdxX * WarpsPerGroup + warp;
        int d = s.Dim, stride = s.SharedStride, nPad = s.PaddedVectors;
        var shared = SharedMemory.GetDynamic<float>();
        int baseOffset = warp * nPad * stride;
        bool active = sample < batch;
        if (active) LoadVectors(s, sample, u, embeddings, shared, baseOffset, lane);
        Warp.Barrier();
        if (!active) return;

        long row = (long)sample * s.OutputStride;
        for (int k = lane; k < d; k += Warp.WarpSize) r.Store(row + k, shared[baseOffset + k]);
        for (int c = d + s.Pairs + lane; c < s.OutputStride; c += Warp.WarpSize) r.Store(row + c, 0f);

        for (int tile = lane; tile < s.Tiles; tile += Warp.WarpSize)
        {
            TileOf(tile, out int ib, out int jb);
            int a0 = baseOffset + ib * 4 * stride, b0 = baseOffset + jb * 4 * stride;
            float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
            float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
            for (int k = 0; k < d; k++)
            {
                float a0v = shared[a0 + k], a1v = shared[a0 + stride + k], a2v = shared[a0 + 2 * stride + k], a3v = shared[a0 + 3 * stride + k];
                float b0v = shared[b0 + k], b1v = shared[b0 + stride + k], b2v = shared[b0 + 2 * stride + k], b3v = shared[b0 + 3 * stride + k];
                c00 += a0v * b0v; c01 += a0v * b1v; c02 += a0v * b2v; c03 += a0v * b3v;
                c10 += a1v * b0v; c11 += a1v * b1v; c12 += a1v * b2v; c13 += a1v * b3v;
                c20 += a2v * b0v; c21 += a2v * b1v; c22 += a2v * b2v; c23 += a2v * b3v;
                c30 += a3v * b0v; c31 += a3v * b1v; c32 += a3v * b2v; c33 += a3v * b3v;
            }
            int i0 = ib * 4, j0 = jb * 4;
            StorePair(s, r, row, i0, j0, c00); StorePair(s, r, row, i0, j0 + 1, c01); StorePair(s, r, row, i0, j0 + 2, c02); StorePair(s, r, row, i0, j0 + 3, c03);
            StorePair(s, r, row, i0 + 1, j0, c10); StorePair(s, r, row, i0 + 1, j0 + 1, c11); StorePair(s, r, row, i0 + 1, j0 + 2, c12); StorePair(s, r, row, i0 + 1, j0 + 3, c13);
            StorePair(s, r, row, i0 + 2, j0, c20); StorePair(s, r, row, i0 + 2, j0 + 1, c21); StorePair(s, r, row, i0 + 2, j0 + 2, c22); StorePair(s, r, row, i0 + 2, j0 + 3, c23);
            StorePair(s, r, row, i0 + 3, j0, c30); StorePair(s, r, row, i0 + 3, j0 + 1, c31); StorePair(s, r, row, i0 + 3, j0 + 2, c32); StorePair(s, r, row, i0 + 3, j0 + 3, c33);
        }
    }

    /// <summary>
    /// From dL/dR: dV[b] = S[b] V[b] with S symmetric (S_ij = dL/dz_ij, zero diagonal). du = (dV_0 + dL/dR[:, :d]) masked by
    /// u &gt; 0 (the bottom MLP's last ReLU); dE_t = <paramref name="embeddingScale"/> * dV_{t+1} (the fused SGD passes -lr).
    /// Each work item is 4 rows x 4 coordinates (16 accumulators: 8 shared-memory loads feed 16 multiply-adds).
    /// </summary>
    public static void Backward(InteractionShape s, int batch, Activations gradR, Activations u, ArrayView<float> embeddings,
        Activations gradU, ArrayView<float> gradEmbeddings, float embeddingScale)
    {
        int warp = Group.IdxX / Warp.WarpSize, lane = Warp.LaneIdx;
        int sample = Grid.IdxX * WarpsPerGroup + warp;
        int d = s.Dim, n = s.Vectors, stride = s.SharedStride, nPad = s.PaddedVectors;
        var shared = SharedMemory.GetDynamic<float>();
        int baseOffset = warp * s.BackwardSharedFloats;
        int sBase = baseOffset + nPad * stride;
        bool active = sample < batch;
        long row = (long)sample * s.OutputStride;
        if (active)
        {
            LoadVectors(s, sample, u, embeddings, shared, baseOffset, lane);
            for (int e = lane; e < n * n; e += Warp.WarpSize)
            {
                int i = e / n, j = e - i * n;
                int hi = i > j ? i : j, lo = i > j ? j : i;
                shared[sBase + e] = i == j ? 0f : gradR.Load(row + d + hi * (hi - 1) / 2 + lo);
            }
        }
        Warp.Barrier();
        if (!active) return;

        // Work items: (4 rows, 4 coordinates kq, kq + Q, kq + 2Q, kq + 3Q) with Q = ceil(d / 4): every lane busy whatever d is
        // (d = 128: lane kq owns coordinates kq + 32c of every row block; d = 16: 28 items of 4 x 4).
        int quads = (d + 3) / 4, rowBlocks = (n + 3) / 4;
        for (int item = lane; item < rowBlocks * quads; item += Warp.WarpSize)
        {
            int block = item / quads, kq = item - block * quads;
            int k0 = kq, k1 = kq + quads, k2 = kq + 2 * quads, k3 = kq + 3 * quads;
            // Coordinates past d read column 0 (valid memory) and are never stored.
            int r0 = k0 < d ? k0 : 0, r1 = k1 < d ? k1 : 0, r2 = k2 < d ? k2 : 0, r3 = k3 < d ? k3 : 0;
            int i0 = block * 4;
            {
                float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
                float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
                int i1 = i0 + 1 < n ? i0 + 1 : i0, i2 = i0 + 2 < n ? i0 + 2 : i0, i3 = i0 + 3 < n ? i0 + 3 : i0;
                for (int j = 0; j < n; j++)
                {
                    int v = baseOffset + j * stride;
                    float v0 = shared[v + r0], v1 = shared[v + r1], v2 = shared[v + r2], v3 = shared[v + r3];
                    float s0 = shared[sBase + i0 * n + j], s1 = shared[sBase + i1 * n + j], s2 = shared[sBase + i2 * n + j], s3 = shared[sBase + i3 * n + j];
                    c00 += s0 * v0; c01 += s0 * v1; c02 += s0 * v2; c03 += s0 * v3;
                    c10 += s1 * v0; c11 += s1 * v1; c12 += s1 * v2; c13 += s1 * v3;
                    c20 += s2 * v0; c21 += s2 * v1; c22 += s2 * v2; c23 += s2 * v3;
                    c30 += s3 * v0; c31 += s3 * v1; c32 += s3 * v2; c33 += s3 * v3;
                }
                StoreVectorGradient(s, sample, i0, k0, c00, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                StoreVectorGradient(s, sample, i0, k1, c01, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                StoreVectorGradient(s, sample, i0, k2, c02, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                StoreVectorGradient(s, sample, i0, k3, c03, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                if (i0 + 1 < n)
                {
                    StoreVectorGradient(s, sample, i0 + 1, k0, c10, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                    StoreVectorGradient(s, sample, i0 + 1, k1, c11, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                    StoreVectorGradient(s, sample, i0 + 1, k2, c12, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                    StoreVectorGradient(s, sample, i0 + 1, k3, c13, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                }
                if (i0 + 2 < n)
                {
                    StoreVectorGradient(s, sample, i0 + 2, k0, c20, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                    StoreVectorGradient(s, sample, i0 + 2, k1, c21, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                    StoreVectorGradient(s, sample, i0 + 2, k2, c22, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                    StoreVectorGradient(s, sample, i0 + 2, k3, c23, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                }
                if (i0 + 3 < n)
                {
                    StoreVectorGradient(s, sample, i0 + 3, k0, c30, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                    StoreVectorGradient(s, sample, i0 + 3, k1, c31, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                    StoreVectorGradient(s, sample, i0 + 3, k2, c32, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                    StoreVectorGradient(s, sample, i0 + 3, k3, c33, gradR, row, shared, baseOffset, gradU, gradEmbeddings, embeddingScale);
                }
            }
        }
    }

    /// <summary>Groups for <paramref name="batch"/> samples.</summary>
    public static int Groups(int batch) => (batch + WarpsPerGroup - 1) / WarpsPerGroup;

    public static int ForwardSharedFloats(InteractionShape s) => WarpsPerGroup * s.PaddedVectors * s.SharedStride;

    public static int BackwardSharedFloats(InteractionShape s) => WarpsPerGroup * s.BackwardSharedFloats;

    /// <summary>The sample's vectors into rows 0..n-1 of its shared block (u first, then E[b, t]); padding rows zero.</summary>
    private static void LoadVectors(InteractionShape s, int sample, Activations u, ArrayView<float> embeddings, ArrayView<float> shared, int baseOffset, int lane)
    {
        int d = s.Dim, stride = s.SharedStride;
        for (int k = lane; k < d; k += Warp.WarpSize) shared[baseOffset + k] = u.Load((long)sample * s.UStride + k);
        long e = (long)sample * s.Tables * d;
        for (int t = 0; t < s.Tables; t++)
            for (int k = lane; k < d; k += Warp.WarpSize)
                shared[baseOffset + (t + 1) * stride + k] = embeddings[e + (long)t * d + k];
        for (int v = s.Vectors; v < s.PaddedVectors; v++)
            for (int k = lane; k < d; k += Warp.WarpSize) shared[baseOffset + v * stride + k] = 0f;
    }

    /// <summary>Tile number -> (ib, jb), ib &gt;= jb, in row order: (0,0), (1,0), (1,1), (2,0), ...</summary>
    private static void TileOf(int tile, out int ib, out int jb)
    {
        ib = 0;
        while ((ib + 1) * (ib + 2) / 2 <= tile) ib++;
        jb = tile - ib * (ib + 1) / 2;
    }

    private static void StorePair(InteractionShape s, Activations r, long row, int i, int j, float dot)
    {
        if (i > j && i < s.Vectors) r.Store(row + s.Dim + i * (i - 1) / 2 + j, dot);
    }

    private static void StoreVectorGradient(InteractionShape s, int sample, int i, int k, float value, Activations gradR, long row,
        ArrayView<float> shared, int baseOffset, Activations gradU, ArrayView<float> gradEmbeddings, float embeddingScale)
    {
        int d = s.Dim;
        if (k >= d) return;
        if (i == 0)
        {
            // u passes into R unchanged, and went through the bottom MLP's last ReLU.
            float g = shared[baseOffset + k] > 0f ? value + gradR.Load(row + k) : 0f;
            gradU.Store((long)sample * s.UStride + k, g);
        }
        else gradEmbeddings[((long)sample * s.Tables + i - 1) * d + k] = embeddingScale * value;
    }
}
