using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RobeGen.Cpu.Threading;
using static RobeGen.Cpu.Quantized.Int8MicroKernel;

namespace RobeGen.Cpu.Quantized;

/// <summary>
/// The forward product of a quantized layer: C[i, j] = relu?(Sa[i] * Sw[j] * (sum_k Qa[i, k] Qw[j, k] - Za[i] *
/// sum_k Qw[j, k]) + bias[j]) for activations from <see cref="QuantizedActivations"/> and weights from
/// <see cref="QuantizedWeights"/>. The integer sums are exact, so the result does not depend on the kernel, the thread
/// count or the batch around a row; the FP32 epilogue is the same code for every kernel.
/// <para>
/// Work items are (block of row panels, chunk of weight panels); an item runs each weight panel (at most 16 KB at
/// K = 512, kept in L1) over its row panels. Small batches are split by weight panels instead, so that one row still
/// keeps every worker busy.
/// </para>
/// </summary>
internal sealed unsafe class Int8Gemm : IParallelWork, IDisposable
{
    /// <summary>Row panels per item (64 rows).</summary>
    private const int RowPanelsPerBlock = 8;
    /// <summary>Below this many multiply-adds one thread does the whole product.</summary>
    private const long ParallelThreshold = 1 << 17;
    /// <summary>Whole-K integer sums must not overflow int32: K * 127 * 128 &lt; 2^31.</summary>
    internal const int MaxInputs = int.MaxValue / (127 * 128);

    private readonly WorkerPool _pool;
    private readonly Int8MicroKernel _kernel;
    private readonly int*[] _tiles;

    // The product being computed (valid during Multiply only).
    private QuantizedActivations? _a;
    private QuantizedWeights? _w;
    private float* _c, _bias;
    private int _ldc, _rowPanels, _rowBlocks, _panelsPerChunk;
    private bool _relu;

    public Int8Gemm(WorkerPool pool, Int8MicroKernel? kernel = null)
    {
        _pool = pool;
        _kernel = kernel ?? Int8MicroKernel.Best;
        _tiles = new int*[pool.Threads];
        for (int w = 0; w < _tiles.Length; w++) _tiles[w] = (int*)NativeMemory.AlignedAlloc(MR * NR * sizeof(int), 64);
    }

    public string KernelName => _kernel.Name;

    /// <summary>C [a.Rows x w.Outputs] (row stride <paramref name="ldc"/>) from the quantized operands, + bias, then ReLU.</summary>
    public void Multiply(QuantizedActivations a, QuantizedWeights w, ReadOnlySpan<float> bias, bool relu, Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(w);
        if (a.Width != w.Inputs) throw new ArgumentException($"Activations of width {a.Width} for weights of {w.Inputs} inputs.", nameof(a));
        if (w.Inputs > MaxInputs) throw new ArgumentException($"{w.Inputs} inputs could overflow the int32 sums (at most {MaxInputs}).", nameof(w));
        if (bias.Length < w.Outputs) throw new ArgumentException($"bias has {bias.Length} values, needs {w.Outputs}.", nameof(bias));
        if (ldc < w.Outputs || c.Length < (long)(a.Rows - 1) * ldc + w.Outputs)
            throw new ArgumentException($"C cannot hold {a.Rows} x {w.Outputs} with stride {ldc}.", nameof(c));

        _rowPanels = (a.Rows + MR - 1) / MR;
        _rowBlocks = (_rowPanels + RowPanelsPerBlock - 1) / RowPanelsPerBlock;
        bool parallel = _pool.Threads > 1 && (long)a.Rows * w.Outputs * w.Inputs >= ParallelThreshold;
        _panelsPerChunk = w.Panels;
        if (parallel)
        {
            // Enough items for every worker (twice over, for balance), but chunks of at least one panel.
            while (_panelsPerChunk > 1 && _rowBlocks * ((w.Panels + _panelsPerChunk - 1) / _panelsPerChunk) < 2 * _pool.Threads)
                _panelsPerChunk--;
        }
        int items = _rowBlocks * ((w.Panels + _panelsPerChunk - 1) / _panelsPerChunk);
        fixed (float* pc = c, pb = bias)
        {
            _a = a; _w = w; _c = pc; _bias = pb; _ldc = ldc; _relu = relu;
            try
            {
                if (parallel) _pool.Run(this, items);
                else for (int i = 0; i < items; i++) Execute(i, 0);
            }
            finally
            {
                _a = null; _w = null; _c = _bias = null;
            }
        }
    }

    public void Execute(int item, int worker)
    {
        QuantizedActivations a = _a!;
        QuantizedWeights w = _w!;
        int block = item % _rowBlocks, chunk = item / _rowBlocks;
        int firstPanel = chunk * _panelsPerChunk, endPanel = Math.Min(w.Panels, firstPanel + _panelsPerChunk);
        int firstRowPanel = block * RowPanelsPerBlock, endRowPanel = Math.Min(_rowPanels, firstRowPanel + RowPanelsPerBlock);
        int* tile = _tiles[worker];
        for (int p = firstPanel; p < endPanel; p++)
        {
            sbyte* panel = w.Panel(p);
            int j0 = p * NR, cols = Math.Min(NR, w.Outputs - j0);
            for (int rp = firstRowPanel; rp < endRowPanel; rp++)
            {
                int i0 = rp * MR, rows = Math.Min(MR, a.Rows - i0);
                _kernel.Compute(w.Quads, a.Panel(rp), rows, panel, tile);
                Epilogue(tile, a, i0, rows, w, j0, cols);
            }
        }
    }

    /// <summary>Integer tile -> FP32 outputs. The vector and scalar branches do the same operations in the same order
    /// (subtract the zero point's term in int32, convert, scale by Sa*Sw, add the bias, ReLU), so they agree bit for bit.</summary>
    private void Epilogue(int* tile, QuantizedActivations a, int i0, int rows, QuantizedWeights w, int j0, int cols)
    {
        ReadOnlySpan<float> rowScale = a.Scale;
        ReadOnlySpan<int> rowZero = a.Zero;
        fixed (float* colScale = &w.Scale[j0])
        fixed (int* colSum = &w.ColumnSum[j0])
        {
            float* bias = _bias + j0;
            for (int r = 0; r < rows; r++)
            {
                float sa = rowScale[i0 + r];
                int za = rowZero[i0 + r];
                int* acc = tile + r * NR;
                float* c = _c + (long)(i0 + r) * _ldc + j0;
                int j = 0;
                if (cols == NR && Vector512.IsHardwareAccelerated)
                {
                    for (; j < NR; j += 16)
                    {
                        Vector512<int> exact = Vector512.Load(acc + j) - Vector512.Create(za) * Vector512.Load(colSum + j);
                        Vector512<float> v = Vector512.ConvertToSingle(exact) * (Vector512.Create(sa) * Vector512.Load(colScale + j)) + Vector512.Load(bias + j);
                        if (_relu) v = Vector512.Max(v, Vector512<float>.Zero);
                        v.Store(c + j);
                    }
                }
                for (; j < cols; j++) c[j] = Dequantize(acc[j], za, colSum[j], sa, colScale[j], bias[j], _relu);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dequantize(int sum, int zero, int columnSum, float rowScale, float columnScale, float bias, bool relu)
    {
        float v = (float)(sum - zero * columnSum) * (rowScale * columnScale) + bias;
        return relu ? MathF.Max(v, 0f) : v;
    }

    private void Free()
    {
        for (int w = 0; w < _tiles.Length; w++)
        {
            NativeMemory.AlignedFree(_tiles[w]);
            _tiles[w] = null;
        }
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~Int8Gemm() => Free();
}
