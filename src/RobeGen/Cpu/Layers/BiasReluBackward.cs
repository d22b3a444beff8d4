using System.Numerics;

namespace RobeGen.Cpu.Layers;

/// <summary>
/// The part of a linear layer's backward pass that is not a GEMM: the ReLU mask (dz = y &gt; 0 ? dy : 0, in place) and
/// the bias gradient (column sums of dz, each over the rows in row order, so any split of the columns gives the same
/// bits). <see cref="TrainingPass"/> masks in its row blocks and sums in its weight-gradient items.
/// </summary>
internal static unsafe class BiasReluBackward
{
    /// <summary>
    /// Columns [c0, c0 + width) of grad [rows, cols]: masked in place by the ReLU when <paramref name="output"/> is
    /// not null, and summed over the rows in row order into <paramref name="sums"/> when it is not null. A column's
    /// sum is the same sequence of float adds whichever lanes carry it.
    /// </summary>
    public static void MaskAndSumColumns(float* grad, float* output, int rows, int cols, int c0, int width, float* sums)
    {
        if (sums != null) new Span<float>(sums, width).Clear();
        int w = Vector<float>.Count;
        for (int r = 0; r < rows; r++)
        {
            float* g = grad + (long)r * cols + c0;
            float* y = output == null ? null : output + (long)r * cols + c0;
            int j = 0;
            for (; j + w <= width; j += w)
            {
                Vector<float> dz = Vector.Load(g + j);
                if (y != null)
                {
                    dz = Vector.ConditionalSelect(Vector.GreaterThan(Vector.Load(y + j), Vector<float>.Zero), dz, Vector<float>.Zero);
                    Vector.Store(dz, g + j);
                }
                if (sums != null) Vector.Store(Vector.Load(sums + j) + dz, sums + j);
            }
            for (; j < width; j++)
            {
                float dz = g[j];
                if (y != null && !(y[j] > 0f)) g[j] = dz = 0f;
                if (sums != null) sums[j] += dz;
            }
        }
    }
}
