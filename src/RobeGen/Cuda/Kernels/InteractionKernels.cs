using ILGPU;

namespace RobeGen.Cuda.Kernels;

/// <summary>Shapes of the dot interaction: n = tables + 1 vectors of width d per sample, P = n(n-1)/2 pairs.</summary>
internal readonly record struct InteractionShape(int Dim, int Tables)
{
    public int Vectors => Tables + 1;
    public int Pairs => Vectors * (Vectors - 1) / 2;
    /// <summary>Width of the top MLP input R = [u, z].</summary>
    public int OutputWidth => Dim + Pairs;
}

/// <summary>
/// The data movement around the two batched GEMMs of the dot interaction (Z = V V^T forward, dV = S V backward).
/// Pair k of the DLRM tril order is (i, j), i > j, with k = i (i - 1) / 2 + j: (1,0), (2,0), (2,1), (3,0), ...
/// </summary>
internal static class InteractionKernels
{
    /// <summary>V[b, 0, :] = u[b, :]; V[b, 1 + t, :] = E[b, t, :]. One thread per element of V [B, n, d].</summary>
    public static void Assemble(Index1D i, InteractionShape s, ArrayView<float> u, ArrayView<float> embeddings, ArrayView<float> v)
    {
        int d = s.Dim, n = s.Vectors;
        int b = i / (n * d), rest = i - b * n * d, vector = rest / d, k = rest - vector * d;
        v[i] = vector == 0 ? u[b * d + k] : embeddings[((long)b * s.Tables + vector - 1) * d + k];
    }

    /// <summary>R[b, c] = u[b, c] for c &lt; d, else the pair dot Z[b, i, j] of pair c - d. One thread per element of R.</summary>
    public static void ExtractPairs(Index1D i, InteractionShape s, ArrayView<float> u, ArrayView<float> dots,
        ArrayView<int> pairRow, ArrayView<int> pairCol, ArrayView<float> r)
    {
        int w = s.OutputWidth, n = s.Vectors;
        int b = i / w, c = i - b * w;
        if (c < s.Dim) { r[i] = u[b * s.Dim + c]; return; }
        int pair = c - s.Dim;
        r[i] = dots[(long)b * n * n + pairRow[pair] * n + pairCol[pair]];
    }

    /// <summary>
    /// S[b, i, j] = S[b, j, i] = dL/dz_ij for i != j, 0 on the diagonal, so that dV[b] = S[b] V[b] gives
    /// dL/dv_i = sum_j dL/dz_ij v_j. One thread per element of S [B, n, n].
    /// </summary>
    public static void SymmetricPairGradient(Index1D i, InteractionShape s, ArrayView<float> gradR, ArrayView<float> sym)
    {
        int n = s.Vectors;
        int b = i / (n * n), rest = i - b * n * n, row = rest / n, col = rest - row * n;
        if (row == col) { sym[i] = 0f; return; }
        int hi = row > col ? row : col, lo = row > col ? col : row;
        sym[i] = gradR[(long)b * s.OutputWidth + s.Dim + hi * (hi - 1) / 2 + lo];
    }

    /// <summary>
    /// du[b] = dV[b, 0] + dR[b, :d] (the pass-through of u into R); dE[b, t] = dV[b, 1 + t].
    /// One thread per element of dV [B, n, d].
    /// </summary>
    public static void SplitGradient(Index1D i, InteractionShape s, ArrayView<float> gradV, ArrayView<float> gradR,
        ArrayView<float> gradU, ArrayView<float> gradEmbeddings, float embeddingScale)
    {
        int d = s.Dim, n = s.Vectors;
        int b = i / (n * d), rest = i - b * n * d, vector = rest / d, k = rest - vector * d;
        if (vector == 0) gradU[b * d + k] = gradV[i] + gradR[(long)b * s.OutputWidth + k];
        else gradEmbeddings[((long)b * s.Tables + vector - 1) * d + k] = embeddingScale * gradV[i];
    }
}
