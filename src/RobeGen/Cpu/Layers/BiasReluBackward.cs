using System.Numerics;
using RobeGen.Cpu.Threading;

namespace RobeGen.Cpu.Layers;

/// <summary>
/// The part of a linear layer's backward pass that is not a GEMM, in one pass over dL/dy: the ReLU mask
/// (dz = y &gt; 0 ? dy : 0, in place) and the bias gradient (column sums of dz). Items are column chunks, so every
/// column is summed over the rows in order by one thread: deterministic for any thread count.
/// </summary>
internal sealed unsafe class BiasReluBackward : IParallelWork
{
    private const int ColumnsPerItem = 64;
    /// <summary>Below this many values one thread does it all.</summary>
    private const int ParallelThreshold = 1 << 15;

    private readonly WorkerPool _pool;
    private float* _grad, _output, _biasGrad;
    private int _rows, _cols;

    public BiasReluBackward(WorkerPool pool) => _pool = pool;

    /// <summary>grad [rows, cols] (masked in place when <paramref name="output"/> is not empty) -&gt; biasGrad [cols].</summary>
    public void Run(Span<float> grad, ReadOnlySpan<float> output, int rows, int cols, Span<float> biasGrad)
    {
        if (grad.Length < rows * cols || biasGrad.Length < cols || (!output.IsEmpty && output.Length < rows * cols))
            throw new ArgumentException("Buffer too small for the layer's shape.");
        fixed (float* g = grad, o = output, b = biasGrad)
        {
            _grad = g; _output = output.IsEmpty ? null : o; _biasGrad = b; _rows = rows; _cols = cols;
            int items = (cols + ColumnsPerItem - 1) / ColumnsPerItem;
            if (rows * cols >= ParallelThreshold) _pool.Run(this, items);
            else for (int i = 0; i < items; i++) Execute(i, 0);
            _grad = _output = _biasGrad = null;
        }
    }

    public void Execute(int item, int worker)
    {
        int c0 = item * ColumnsPerItem, width = Math.Min(ColumnsPerItem, _cols - c0);
        MaskAndSumColumns(_grad, _output, _rows, _cols, c0, width, _biasGrad + c0);
    }

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
