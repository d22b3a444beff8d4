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
            var t = new Tile4x4();
            int k = 0;
            // Two coordinates per iteration: 16 independent shared-memory loads in flight before the 32 multiply-adds.
            for (; k + 2 <= d; k += 2)
            {
                float a00 = shared[a0 + k], a10 = shared[a0 + stride + k], a20 = shared[a0 + 2 * stride + k], a30 = shared[a0 + 3 * stride + k];
                float b00 = shared[b0 + k], b10 = shared[b0 + stride + k], b20 = shared[b0 + 2 * stride + k], b30 = shared[b0 + 3 * stride + k];
                float a01 = shared[a0 + k + 1], a11 = shared[a0 + stride + k + 1], a21 = shared[a0 + 2 * stride + k + 1], a31 = shared[a0 + 3 * stride + k + 1];
                float b01 = shared[b0 + k + 1], b11 = shared[b0 + stride + k + 1], b21 = shared[b0 + 2 * stride + k + 1], b31 = shared[b0 + 3 * stride + k + 1];
                t.Add(a00, a10, a20, a30, b00, b10, b20, b30);
                t.Add(a01, a11, a21, a31, b01, b11, b21, b31);
            }
            if (k < d)
                t.Add(shared[a0 + k], shared[a0 + stride + k], shared[a0 + 2 * stride + k], shared[a0 + 3 * stride + k],
                    shared[b0 + k], shared[b0 + stride + k], shared[b0 + 2 * stride + k], shared[b0 + 3 * stride + k]);
            int i0 = ib * 4, j0 = jb * 4;
            StorePair(s, r, row, i0, j0, t.C00); StorePair(s, r, row, i0, j0 + 1, t.C01); StorePair(s, r, row, i0, j0 + 2, t.C02); StorePair(s, r, row, i0, j0 + 3, t.C03);
            StorePair(s, r, row, i0 + 1, j0, t.C10); StorePair(s, r, row, i0 + 1, j0 + 1, t.C11); StorePair(s, r, row, i0 + 1, j0 + 2, t.C12); StorePair(s, r, row, i0 + 1, j0 + 3, t.C13);
            StorePair(s, r, row, i0 + 2, j0, t.C20); StorePair(s, r, row, i0 + 2, j0 + 1, t.C21); StorePair(s, r, row, i0 + 2, j0 + 2, t.C22); StorePair(s, r, row, i0 + 2, j0 + 3, t.C23);
            StorePair(s, r, row, i0 + 3, j0, t.C30); StorePair(s, r, row, i0 + 3, j0 + 1, t.C31); StorePair(s, r, row, i0 + 3, j0 + 2, t.C32); StorePair(s, r, row, i0 + 3, j0 + 3, t.C33);
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
            LoadPairGradients(s, gradR, row, shared, sBase, lane);
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
                var t = new Tile4x4();
                int i1 = i0 + 1 < n ? i0 + 1 : i0, i2 = i0 + 2 < n ? i0 + 2 : i0, i3 = i0 + 3 < n ? i0 + 3 : i0;
                int j = 0;
                // Two vectors j per iteration: 16 independent shared-memory loads before the 32 multiply-adds.
                for (; j + 2 <= n; j += 2)
                {
                    int v = baseOffset + j * stride, w = v + stride;
                    float v00 = shared[v + r0], v01 = shared[v + r1], v02 = shared[v + r2], v03 = shared[v + r3];
                    float s00 = shared[sBase + i0 * n + j], s10 = shared[sBase + i1 * n + j], s20 = shared[sBase + i2 * n + j], s30 = shared[sBase + i3 * n + j];
                    float v10 = shared[w + r0], v11 = shared[w + r1], v12 = shared[w + r2], v13 = shared[w + r3];
                    float s01 = shared[sBase + i0 * n + j + 1], s11 = shared[sBase + i1 * n + j + 1], s21 = shared[sBase + i2 * n + j + 1], s31 = shared[sBase + i3 * n + j + 1];
                    t.Add(s00, s10, s20, s30, v00, v01, v02, v03);
                    t.Add(s01, s11, s21, s31, v10, v11, v12, v13);
                }
                if (j < n)
                {
                    int v = baseOffset + j * stride;
                    t.Add(shared[sBase + i0 * n + j], shared[sBase + i1 * n + j], shared[sBase + i2 * n + j], shared[sBase + i3 * n + j],
                        shared[v + r0], shared[v + r1], shared[v + r2], shared[v + r3]);
                }
                float c00 = t.C00, c01 = t.C01, c02 = t.C02, c03 = t.C03, c10 = t.C10, c11 = t.C11, c12 = t.C12, c13 = t.C13;
                float c20 = t.C20, c21 = t.C21, c22 = t.C22, c23 = t.C23, c30 = t.C30, c31 = t.C31, c32 = t.C32, c33 = t.C33;
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

    /// <summary>A 4 x 4 block of dot products kept in registers: Add does the 16 multiply-adds of one coordinate (or one j).</summary>
    private struct Tile4x4
    {
        public float C00, C01, C02, C03, C10, C11, C12, C13, C20, C21, C22, C23, C30, C31, C32, C33;

        /// <summary>C[i][j] += a_i * b_j.</summary>
        public void Add(float a0, float a1, float a2, float a3, float b0, float b1, float b2, float b3)
        {
            C00 += a0 * b0; C01 += a0 * b1; C02 += a0 * b2; C03 += a0 * b3;
            C10 += a1 * b0; C11 += a1 * b1; C12 += a1 * b2; C13 += a1 * b3;
            C20 += a2 * b0; C21 += a2 * b1; C22 += a2 * b2; C23 += a2 * b3;
            C30 += a3 * b0; C31 += a3 * b1; C32 += a3 * b2; C33 += a3 * b3;
        }
    }

    /// <summary>Groups for <paramref name="batch"/> samples.</summary>
    public static int Groups(int batch) => (batch + WarpsPerGroup - 1) / WarpsPerGroup;

    public static int ForwardSharedFloats(InteractionShape s) => WarpsPerGroup * s.PaddedVectors * s.SharedStride;

    public static int BackwardSharedFloats(InteractionShape s) => WarpsPerGroup * s.BackwardSharedFloats;

    /// <summary>
    /// The sample's vectors into rows 0..n-1 of its shared block (u first, then E[b, t]); padding rows zero. The embeddings
    /// of a sample are T*d consecutive floats: each lane issues 8 independent loads before it stores any (ILGPU does not
    /// unroll loops, and one load in flight per lane leaves a warp waiting on memory latency for every element).
    /// </summary>
    private static void LoadVectors(InteractionShape s, int sample, Activations u, ArrayView<float> embeddings, ArrayView<float> shared, int baseOffset, int lane)
    {
        int d = s.Dim, stride = s.SharedStride, w = Warp.WarpSize;
        long uRow = (long)sample * s.UStride;
        for (int k = lane; k < d; k += 4 * w)
        {
            int k1 = k + w, k2 = k + 2 * w, k3 = k + 3 * w;
            float v0 = u.Load(uRow + k);
            float v1 = k1 < d ? u.Load(uRow + k1) : 0f;
            float v2 = k2 < d ? u.Load(uRow + k2) : 0f;
            float v3 = k3 < d ? u.Load(uRow + k3) : 0f;
            shared[baseOffset + k] = v0;
            if (k1 < d) shared[baseOffset + k1] = v1;
            if (k2 < d) shared[baseOffset + k2] = v2;
            if (k3 < d) shared[baseOffset + k3] = v3;
        }
        int total = s.Tables * d;
        long e = (long)sample * total;
        for (int i = lane; i < total; i += 8 * w)
        {
            int i1 = i + w, i2 = i + 2 * w, i3 = i + 3 * w, i4 = i + 4 * w, i5 = i + 5 * w, i6 = i + 6 * w, i7 = i + 7 * w;
            float v0 = embeddings[e + i];
            float v1 = i1 < total ? embeddings[e + i1] : 0f;
            float v2 = i2 < total ? embeddings[e + i2] : 0f;
            float v3 = i3 < total ? embeddings[e + i3] : 0f;
            float v4 = i4 < total ? embeddings[e + i4] : 0f;
            float v5 = i5 < total ? embeddings[e + i5] : 0f;
            float v6 = i6 < total ? embeddings[e + i6] : 0f;
            float v7 = i7 < total ? embeddings[e + i7] : 0f;
            StoreEmbedding(shared, baseOffset, stride, d, total, i, v0);
            StoreEmbedding(shared, baseOffset, stride, d, total, i1, v1);
            StoreEmbedding(shared, baseOffset, stride, d, total, i2, v2);
            StoreEmbedding(shared, baseOffset, stride, d, total, i3, v3);
            StoreEmbedding(shared, baseOffset, stride, d, total, i4, v4);
            StoreEmbedding(shared, baseOffset, stride, d, total, i5, v5);
            StoreEmbedding(shared, baseOffset, stride, d, total, i6, v6);
            StoreEmbedding(shared, baseOffset, stride, d, total, i7, v7);
        }
        for (int v = s.Vectors; v < s.PaddedVectors; v++)
            for (int k = lane; k < d; k += w) shared[baseOffset + v * stride + k] = 0f;
    }

    /// <summary>Element <paramref name="i"/> of the sample's [T, d] embeddings into shared row 1 + i / d.</summary>
    private static void StoreEmbedding(ArrayView<float> shared, int baseOffset, int stride, int d, int total, int i, float value)
    {
        if (i >= total) return;
        int row = i / d;
        shared[baseOffset + (row + 1) * stride + i - row * d] = value;
    }

    /// <summary>S (n x n, symmetric, zero diagonal) from the pair gradients in dL/dR, 8 independent loads per lane per round.</summary>
    private static void LoadPairGradients(InteractionShape s, Activations gradR, long row, ArrayView<float> shared, int sBase, int lane)
    {
        int n = s.Vectors, total = n * n, w = Warp.WarpSize;
        for (int e = lane; e < total; e += 8 * w)
        {
            float v0 = PairGradient(s, gradR, row, e), v1 = PairGradient(s, gradR, row, e + w), v2 = PairGradient(s, gradR, row, e + 2 * w);
            float v3 = PairGradient(s, gradR, row, e + 3 * w), v4 = PairGradient(s, gradR, row, e + 4 * w), v5 = PairGradient(s, gradR, row, e + 5 * w);
            float v6 = PairGradient(s, gradR, row, e + 6 * w), v7 = PairGradient(s, gradR, row, e + 7 * w);
            if (e < total) shared[sBase + e] = v0;
            if (e + w < total) shared[sBase + e + w] = v1;
            if (e + 2 * w < total) shared[sBase + e + 2 * w] = v2;
            if (e + 3 * w < total) shared[sBase + e + 3 * w] = v3;
            if (e + 4 * w < total) shared[sBase + e + 4 * w] = v4;
            if (e + 5 * w < total) shared[sBase + e + 5 * w] = v5;
            if (e + 6 * w < total) shared[sBase + e + 6 * w] = v6;
            if (e + 7 * w < total) shared[sBase + e + 7 * w] = v7;
        }
    }

    /// <summary>S[i, j] for element e = i n + j of S (0 past the end or on the diagonal).</summary>
    private static float PairGradient(InteractionShape s, Activations gradR, long row, int e)
    {
        int n = s.Vectors;
        if (e >= n * n) return 0f;
        int i = e / n, j = e - i * n;
        if (i == j) return 0f;
        int hi = i > j ? i : j, lo = i > j ? j : i;
        return gradR.Load(row + s.Dim + hi * (hi - 1) / 2 + lo);
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
