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
    public const int RowsPerPartial = 256;

    /// <summary>logits[r] = bias[0] + sum_j h[r, j] w[j], j &lt; width: a warp per row, lanes striding j, a fixed shuffle tree.</summary>
    public static void LogitForward(int rows, int width, int stride, Activations h, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> logits)
    {
        int row = Grid.IdxX * LogitWarpsPerGroup + Group.IdxX / Warp.WarpSize;
        if (row >= rows) return;
        float sum = 0f;
        long start = (long)row * stride;
        for (int j = Warp.LaneIdx; j < width; j += Warp.WarpSize) sum += h.Load(start + j) * w[j];
        for (int offset = Warp.WarpSize / 2; offset > 0; offset /= 2) sum += Warp.ShuffleXor(sum, offset);
        if (Warp.LaneIdx == 0) logits[row] = sum + bias[0];
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
        for (int r = first; r < last; r++)
        {
            float v = x.Load((long)r * stride + c);
            sum += weighted != 0 ? weight[r] * v : v;
        }
        partials[(long)chunk * cols + c] = sum;
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
