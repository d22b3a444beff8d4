using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RobeGen.Cpu.Threading;
using static RobeGen.Cpu.Quantized.Int8MicroKernel;

namespace RobeGen.Cpu.Quantized;

/// <summary>
/// The forward product of a quantized layer: C[i, j] = relu?(Sw[j] * sum_g Sa[i, g] * (sum_{k in g} Qa[i, k] Qw[j, k]
/// - Za[i, g] * sum_{k in g} Qw[j, k]) + bias[j]) over the input groups g, for activations from
/// <see cref="QuantizedActivations"/> and weights from <see cref="QuantizedWeights"/>. The integer sums are exact, so the result does not depend on the kernel, the thread
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
    /// <summary>Whole-K integer sums must not overflow int32: K * 255 * 64 &lt; 2^31.</summary>
    internal const int MaxInputs = int.MaxValue / (255 * 64);
    /// <summary>Most input groups per layer (a tile of int32 sums each, per worker).</summary>
    internal const int MaxGroups = 4;

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
        for (int w = 0; w < _tiles.Length; w++) _tiles[w] = (int*)NativeMemory.AlignedAlloc(MaxGroups * MR * NR * sizeof(int), 64);
    }

    public string KernelName => _kernel.Name;

    /// <summary>C [a.Rows x w.Outputs] (row stride <paramref name="ldc"/>) from the quantized operands, + bias, then ReLU.</summary>
    public void Multiply(QuantizedActivations a, QuantizedWeights w, ReadOnlySpan<float> bias, bool relu, Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(w);
        if (!ReferenceEquals(a.Groups, w.Groups)) throw new ArgumentException("The activations were quantized with other input groups than the weights.", nameof(a));
        if (w.Groups.Count > MaxGroups) throw new ArgumentException($"{w.Groups.Count} input groups; at most {MaxGroups}.", nameof(w));
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

    // Hot loops are compiled fully optimized at once: tiered compilation would run the first batches (a whole short
    // evaluation) on unoptimized code, at a fraction of the speed.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
                byte* activations = a.Panel(rp);
                for (int g = 0; g < w.Groups.Count; g++)
                {
                    int q0 = w.Groups.FirstQuad(g);
                    _kernel.Compute(w.Groups.Quads(g), activations + q0 * ActivationQuadBytes, rows, panel + q0 * WeightQuadBytes, tile + g * MR * NR);
                }
                Epilogue(tile, a, i0, rows, w, j0, cols);
            }
        }
    }

    /// <summary>Integer tiles (one per input group) -> FP32 outputs. The vector and scalar branches do the same
    /// operations in the same order (per group: subtract the zero point's term in int32, convert, scale by Sa and sum;
    /// then scale by Sw, add the bias, ReLU), so they agree bit for bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Epilogue(int* tile, QuantizedActivations a, int i0, int rows, QuantizedWeights w, int j0, int cols)
    {
        ReadOnlySpan<float> rowScale = a.Scale;
        ReadOnlySpan<int> rowZero = a.Zero;
        int groups = w.Groups.Count;
        fixed (float* colScale = &w.Scale[j0])
        fixed (int* colSum0 = w.ColumnSum)
        {
            int* colSum = colSum0 + j0;
            float* bias = _bias + j0;
            for (int r = 0; r < rows; r++)
            {
                int row = (i0 + r) * groups;
                float* c = _c + (long)(i0 + r) * _ldc + j0;
                int j = 0;
                if (cols == NR && Vector512.IsHardwareAccelerated)
                {
                    for (; j < NR; j += 16)
                    {
                        Vector512<float> sum = default;
                        for (int g = 0; g < groups; g++)
                        {
                            Vector512<int> exact = Vector512.Load(tile + g * MR * NR + r * NR + j)
                                - Vector512.Create(rowZero[row + g]) * Vector512.Load(colSum + g * w.Outputs + j);
                            Vector512<float> part = Vector512.ConvertToSingle(exact) * Vector512.Create(rowScale[row + g]);
                            sum = g == 0 ? part : sum + part;
                        }
                        Vector512<float> v = sum * Vector512.Load(colScale + j) + Vector512.Load(bias + j);
                        if (_relu) v = Vector512.Max(v, Vector512<float>.Zero);
                        v.Store(c + j);
                    }
                }
                for (; j < cols; j++)
                {
                    float sum = 0f;
                    for (int g = 0; g < groups; g++)
                    {
                        float part = (float)(tile[g * MR * NR + r * NR + j] - rowZero[row + g] * colSum[g * w.Outputs + j]) * rowScale[row + g];
                        sum = g == 0 ? part : sum + part;
                    }
                    float v = sum * colScale[j] + bias[j];
                    c[j] = _relu ? MathF.Max(v, 0f) : v;
                }
            }
        }
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
