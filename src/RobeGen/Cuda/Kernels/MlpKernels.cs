using ILGPU;

namespace RobeGen.Cuda.Kernels;

/// <summary>
/// The MLP work that is not a GEMM: the one-unit logit layer (a dot product per row, cheaper as a kernel than as a
/// GEMM with one output column), ReLU masks, and deterministic column sums for bias and logit-weight gradients.
/// Activations are row-major [rows, stride].
/// </summary>
internal static class MlpKernels
{
    /// <summary>Rows a group of the logit kernel handles (a warp per row).</summary>
    public const int LogitWarpsPerGroup = 4;

    /// <summary>Rows summed by one partial of <see cref="ColumnSumPartials"/>.</summary>
    public const int RowsPerPartial = 128;

    /// <summary>
    /// logits[r] = bias[0] + sum_j h[r, j] w[j], j &lt; width: a warp per row, lanes striding j, a fixed shuffle tree; with
    /// <paramref name="sigmoid"/> != 0 (predictions) also probabilities[r], saving the separate sigmoid launch.
    /// </summary>
    public static void LogitForward(int rows, int width, int stride, Activations h, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> logits,
        int sigmoid, ArrayView<float> probabilities)
    {
        int row = Grid.IdxX * LogitWarpsPerGroup + Group.IdxX / Warp.WarpSize;
        if (row >= rows) return;
        float sum = 0f;
        long start = (long)row * stride;
        int step = Warp.WarpSize, j = Warp.LaneIdx;
        for (; j + 3 * step < width; j += 4 * step)
        {
            float a0 = h.Load(start + j), a1 = h.Load(start + j + step), a2 = h.Load(start + j + 2 * step), a3 = h.Load(start + j + 3 * step);
            sum += a0 * w[j]; sum += a1 * w[j + step]; sum += a2 * w[j + 2 * step]; sum += a3 * w[j + 3 * step];
        }
        for (; j < width; j += step) sum += h.Load(start + j) * w[j];
        for (int offset = Warp.WarpSize / 2; offset > 0; offset /= 2) sum += Warp.ShuffleXor(sum, offset);
        if (Warp.LaneIdx != 0) return;
        float logit = sum + bias[0];
        logits[row] = logit;
        if (sigmoid != 0) probabilities[row] = LossKernels.Sigmoid(logit, ILGPU.Algorithms.XMath.Exp(-ILGPU.Algorithms.XMath.Abs(logit)));
    }

    /// <summary>
    /// dh[r, j] = dL/ds[r] * w[j] for j &lt; width, zero where <paramref name="relu"/> != 0 and h[r, j] &lt;= 0 (h a hidden layer's
    /// post-ReLU output; R, the interaction's output, has no ReLU). One thread per element of [rows, width]; rows have stride
    /// <paramref name="stride"/>.
    /// </summary>
    public static void LogitInputGradient(Index1D i, int width, int stride, int relu, ArrayView<float> gradLogits, ArrayView<float> w,
        Activations h, Activations gradH)
    {
        int row = i / width, j = i - row * width;
        long at = (long)row * stride + j;
        gradH.Store(at, relu == 0 || h.Load(at) > 0f ? gradLogits[row] * w[j] : 0f);
    }

    /// <summary>grad[i] = 0 where output[i] &lt;= 0: the ReLU derivative from the layer's post-ReLU output.</summary>
    public static void ReluMask(Index1D i, Activations grad, Activations output)
    {
        if (!(output.Load(i) > 0f)) grad.Store(i, 0f);
    }

    /// <summary>
    /// Stage 1 of a deterministic column sum: partials[p, c] = sum over rows r of chunk p (in order) of weight[r] * x[r, c]
    /// (weight 1 when <paramref name="weighted"/> is 0). Index: X = column, Y = chunk of <see cref="RowsPerPartial"/> rows.
    /// </summary>
    public static void ColumnSumPartials(Index2D index, int rows, int cols, int stride, Activations x, ArrayView<float> weight, int weighted,
        ArrayView<float> partials)
    {
        int c = index.X, chunk = index.Y;
        int first = chunk * RowsPerPartial, last = first + RowsPerPartial < rows ? first + RowsPerPartial : rows;
        float sum = 0f;
        int r = first;
        // 8 independent loads in flight per thread (ILGPU does not unroll), added in row order: the same bits every run.
        for (; r + 8 <= last; r += 8)
        {
            float v0 = Term(x, weight, weighted, stride, c, r), v1 = Term(x, weight, weighted, stride, c, r + 1);
            float v2 = Term(x, weight, weighted, stride, c, r + 2), v3 = Term(x, weight, weighted, stride, c, r + 3);
            float v4 = Term(x, weight, weighted, stride, c, r + 4), v5 = Term(x, weight, weighted, stride, c, r + 5);
            float v6 = Term(x, weight, weighted, stride, c, r + 6), v7 = Term(x, weight, weighted, stride, c, r + 7);
            sum += v0; sum += v1; sum += v2; sum += v3; sum += v4; sum += v5; sum += v6; sum += v7;
        }
        for (; r < last; r++) sum += Term(x, weight, weighted, stride, c, r);
        partials[(long)chunk * cols + c] = sum;
    }

    private static float Term(Activations x, ArrayView<float> weight, int weighted, int stride, int c, int r)
    {
        float v = x.Load((long)r * stride + c);
        return weighted != 0 ? weight[r] * v : v;
    }

    /// <summary>Stage 2: target[c] = sum of the partials of column c in chunk order (the same bits every run).</summary>
    public static void ColumnSumFinish(Index1D c, int chunks, int cols, ArrayView<float> partials, ArrayView<float> target)
    {
        float sum = 0f;
        for (int p = 0; p < chunks; p++) sum += partials[(long)p * cols + c];
        target[c] = sum;
    }

    public static void Fill(Index1D i, ArrayView<float> target, float value) => target[i] = value;

    /// <summary>Chunks (partials per column) for <paramref name="rows"/> rows.</summary>
    public static int Chunks(int rows) => (rows + RowsPerPartial - 1) / RowsPerPartial;
}
