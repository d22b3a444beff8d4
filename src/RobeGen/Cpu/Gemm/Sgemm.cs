using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using RobeGen.Cpu.Threading;

namespace RobeGen.Cpu.Gemm;

/// <summary>
/// Single-precision GEMM on row-major matrices, cache-blocked in the BLIS manner: K is cut into blocks of at most
/// <see cref="KcMax"/>; op(B) is packed once into NR-wide panels per K block when it is stored transposed, then every
/// (MC-row block, column chunk) item runs the register-blocked <see cref="MicroKernel"/> over its tiles.
/// <para>
/// Only a transposed B (a forward pass's W^T) is packed. op(A) is read in place through the kernel's strides (MR
/// rows of a row-major A, or MR adjacent columns of a stored A^T: both are MR loads per step), and so is an op(B)
/// stored as it is (the dW = dY^T X and dX = dY W products of backprop: NR consecutive values per step); only its
/// last, partial panel is copied (zero-padded) before the items run. On the batch-128 training shapes the packing
/// passes cost 5-10% of the products, and with several threads every item repacked the A rows it shared with the
/// other items, and the B pass was a pool call of its own.
/// </para>
/// <para>
/// C[m x n] = op(A)[m x k] * op(B)[k x n] (+ C when accumulating) (+ bias per column) (then ReLU), where op(A) = A or
/// A^T and op(B) = B or B^T. Backprop uses three shapes: Y = X W^T (transB), dX = dY W, dW = dY^T X (transA).
/// </para>
/// <para>
/// op(B) can also be packed ahead (<see cref="Pack"/>) and reused by <see cref="MultiplyPacked"/> while it does not
/// change (a layer's weights between optimizer steps). Products of fewer than MR rows (single-row predictions) run
/// the kernel's one-row variant over the panels instead of MR-row tiles that would be mostly padding; it computes
/// every element with the same operations in the same order, so a row's result never depends on the batch around it.
/// </para>
/// <para>
/// Both phases run on the <see cref="WorkerPool"/> as independent items. The K blocking depends only on k, so every
/// element is summed in the same order whatever the thread count: the result is bit-identical for 1 or N threads.
/// </para>
/// </summary>
internal sealed unsafe class Sgemm : IParallelWork, IDisposable
{
    /// <summary>Largest K block: an MR x kc A panel stays in L1 while B panels stream from L2.</summary>
    internal const int KcMax = 256;
    /// <summary>Widest column chunk per work item.</summary>
    internal const int NcMax = 512;
    /// <summary>Below this many multiply-adds one thread does the whole product (waking workers costs more).</summary>
    private const long ParallelThreshold = 1 << 17;
    /// <summary>Below this many values of op(B) a product of a few rows runs on one thread (it is a read of the panels).</summary>
    private const long RowParallelThreshold = 1 << 15;

    private readonly WorkerPool _pool;
    private readonly MicroKernel _kernel;
    private readonly int _mr, _nr, _mc;
    private readonly float*[] _edge;
    private float* _packB;
    private long _packBCapacity;
    /// <summary>The panels the compute phase reads: <see cref="_packB"/> or a <see cref="PackedMatrix"/>.</summary>
    private float* _panelsBase;

    // The product being computed (valid during Multiply only).
    private bool _transA, _transB, _accumulate, _relu, _packing, _rowMode;
    /// <summary>op(B) is read where it is stored (see the class comment), not from packed panels.</summary>
    private bool _bInPlace;
    private int _m, _n, _k, _lda, _ldb, _ldc;
    private float* _a, _b, _c, _bias;
    private int _kBlock, _kBlocks, _panels, _nPadded, _nChunks, _chunkWidth, _panelsPerPackItem, _packItemsPerBlock, _panelsPerRowItem;

    public Sgemm(WorkerPool pool, MicroKernel? kernel = null)
    {
        _pool = pool;
        _kernel = kernel ?? MicroKernel.Best;
        _mr = _kernel.MR;
        _nr = _kernel.NR;
        _mc = 128 / _mr * _mr;
        _edge = new float*[pool.Threads];
        for (int w = 0; w < pool.Threads; w++)
        {
            _edge[w] = Allocate(_mr * _nr);
        }
    }

    public string KernelName => _kernel.Name;

    /// <summary>
    /// C = op(A) op(B) (+ C when <paramref name="accumulate"/>) (+ <paramref name="bias"/>[j] on every row when not
    /// empty) (then max(., 0) when <paramref name="relu"/>). Leading dimensions are row strides of the stored matrices.
    /// </summary>
    public void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        bool accumulate = false, ReadOnlySpan<float> bias = default, bool relu = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (m == 0 || n == 0) return;
        CheckOperand(a.Length, transA ? k : m, transA ? m : k, lda, nameof(a));
        CheckOperand(b.Length, transB ? n : k, transB ? k : n, ldb, nameof(b));
        CheckOperand(c.Length, m, n, ldc, nameof(c));
        if (!bias.IsEmpty && bias.Length < n) throw new ArgumentException($"bias has {bias.Length} values, needs {n}.", nameof(bias));

        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            float* biasOrNull = bias.IsEmpty ? null : pbias;
            if (k == 0)
            {
                Epilogue(pc, m, n, ldc, accumulate, biasOrNull, relu);
                return;
            }
            if (n == 1 && !transA && transB)
            {
                // A matrix-vector product (the logit layer): a dot per row beats a tile that is 1/NR useful.
                MatrixVector(a, lda, b[..k], m, k, c, ldc, accumulate, biasOrNull, relu);
                return;
            }
            _transA = transA; _transB = transB; _accumulate = accumulate; _relu = relu;
            _m = m; _n = n; _k = k; _lda = lda; _ldb = ldb; _ldc = ldc;
            _a = pa; _b = pb; _c = pc; _bias = biasOrNull;
            try
            {
                Run(prepacked: null);
            }
            finally
            {
                _a = _b = _c = _bias = _panelsBase = null;
            }
        }
    }

    /// <summary>Packs op(B) [k x n] (B stored [n x k] when <paramref name="transB"/>) into <paramref name="target"/>
    /// for later <see cref="MultiplyPacked"/> calls.</summary>
    public void Pack(bool transB, int n, int k, ReadOnlySpan<float> b, int ldb, PackedMatrix target)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        CheckOperand(b.Length, transB ? n : k, transB ? k : n, ldb, nameof(b));
        fixed (float* pb = b)
        {
            _transB = transB; _n = n; _k = k; _ldb = ldb; _b = pb;
            try
            {
                Blocking();
                target.Reserve((long)_k * _nPadded);
                target.N = n;
                target.K = k;
                _panelsBase = target.Data;
                RunPacking(parallel: _pool.Threads > 1 && (long)n * k >= RowParallelThreshold);
            }
            finally
            {
                _b = _panelsBase = null;
            }
        }
    }

    /// <summary>C = A op(B) (+ C) (+ bias) (then ReLU) with op(B) from <see cref="Pack"/>; A is [m x k] row-major.</summary>
    public void MultiplyPacked(int m, ReadOnlySpan<float> a, int lda, PackedMatrix b, Span<float> c, int ldc,
        bool accumulate = false, ReadOnlySpan<float> bias = default, bool relu = false)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        if (b.Data == null) throw new ArgumentException("The operand was never packed.", nameof(b));
        if (m == 0) return;
        int n = b.N, k = b.K;
        CheckOperand(a.Length, m, k, lda, nameof(a));
        CheckOperand(c.Length, m, n, ldc, nameof(c));
        if (!bias.IsEmpty && bias.Length < n) throw new ArgumentException($"bias has {bias.Length} values, needs {n}.", nameof(bias));
        fixed (float* pa = a, pc = c, pbias = bias)
        {
            _transA = false; _accumulate = accumulate; _relu = relu;
            _m = m; _n = n; _k = k; _lda = lda; _ldc = ldc;
            _a = pa; _c = pc; _bias = bias.IsEmpty ? null : pbias;
            try
            {
                Run(b);
            }
            finally
            {
                _a = _c = _bias = _panelsBase = null;
            }
        }
    }

    /// <summary>K blocks and panels of the current product (they depend only on k and n).</summary>
    private void Blocking()
    {
        // Equal K blocks (367 -> 184 + 183, not 256 + 111) keep the kernel's loop long.
        _kBlocks = (_k + KcMax - 1) / KcMax;
        _kBlock = (_k + _kBlocks - 1) / _kBlocks;
        _panels = (_n + _nr - 1) / _nr;
        _nPadded = _panels * _nr;
        // One packing item per panel, grouped when there are so many that the per-item overhead would show.
        _panelsPerPackItem = Math.Max(1, (int)(((long)_kBlocks * _panels + 1023) / 1024));
        _packItemsPerBlock = (_panels + _panelsPerPackItem - 1) / _panelsPerPackItem;
    }

    private void RunPacking(bool parallel)
    {
        _packing = true;
        try
        {
            RunItems(_kBlocks * _packItemsPerBlock, parallel);
        }
        finally
        {
            _packing = false;
        }
    }

    private void Run(PackedMatrix? prepacked)
    {
        Blocking();
        bool rowMode = _m < _mr && !_transA;
        _bInPlace = prepacked == null && !_transB && !rowMode;
        if (prepacked != null)
        {
            _panelsBase = prepacked.Data;
        }
        else if (!_bInPlace)
        {
            EnsurePackB((long)_k * _nPadded);
            _panelsBase = _packB;
        }
        else if (_n % _nr != 0)
        {
            // In place, only a partial last panel needs a copy (zero-padded to NR): k x NR values, once, on this
            // thread (a pool call would cost more), before the items read it.
            EnsurePackB((long)_k * _nr);
            int cols = _n % _nr;
            GemmPacking.PackBPanel(_b, _ldb, 0, _k, _n - cols, cols, _nr, _packB);
        }

        if (rowMode)
        {
            // A few rows: one-row kernel over the panels, split by panels (each worker reads only its share of B).
            bool rowParallel = _pool.Threads > 1 && (long)_n * _k >= RowParallelThreshold;
            if (prepacked == null) RunPacking(rowParallel);
            int items = rowParallel ? Math.Min(_pool.Threads, _panels) : 1;
            _panelsPerRowItem = (_panels + items - 1) / items;
            _rowMode = true;
            try
            {
                RunItems((_panels + _panelsPerRowItem - 1) / _panelsPerRowItem, rowParallel);
            }
            finally
            {
                _rowMode = false;
            }
            return;
        }

        int mBlocks = (_m + _mc - 1) / _mc;
        int panelsPerChunk = Math.Min(_panels, NcMax / _nr);
        bool parallel = _pool.Threads > 1 && (long)_m * _n * _k >= ParallelThreshold;
        if (parallel)
        {
            // Enough items for every worker (twice over, for balance), but chunks of at least one panel.
            int wanted = 2 * _pool.Threads;
            while (panelsPerChunk > 1 && mBlocks * ((_panels + panelsPerChunk - 1) / panelsPerChunk) < wanted)
                panelsPerChunk--;
        }
        _chunkWidth = panelsPerChunk * _nr;
        _nChunks = (_panels + panelsPerChunk - 1) / panelsPerChunk;

        if (prepacked == null && !_bInPlace) RunPacking(parallel);
        RunItems(mBlocks * _nChunks, parallel);
    }

    private void RunItems(int items, bool parallel)
    {
        if (parallel) _pool.Run(this, items);
        else for (int i = 0; i < items; i++) Execute(i, 0);
    }

    private static void CheckOperand(int length, int rows, int cols, int ld, string name)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentException($"Leading dimension {ld} is smaller than the {cols} columns.", name);
        if (length < (long)(rows - 1) * ld + cols)
            throw new ArgumentException($"{name} has {length} values; a {rows} x {cols} matrix with stride {ld} needs {(long)(rows - 1) * ld + cols}.", name);
    }

    public void Execute(int item, int worker)
    {
        if (_packing) PackBItem(item);
        else if (_rowMode) ComputeRowsItem(item, worker);
        else ComputeItem(item, worker);
    }

    /// <summary>Start of the packed panel <paramref name="panel"/> of K block <paramref name="kb"/>.</summary>
    private float* PackedB(int kb, int panel) =>
        _panelsBase + (long)kb * _kBlock * _nPadded + (long)panel * _nr * Math.Min(_kBlock, _k - kb * _kBlock);

    /// <summary>Packs a group of NR-wide panels of one K block of op(B).</summary>
    private void PackBItem(int item)
    {
        int kb = item / _packItemsPerBlock, firstPanel = item % _packItemsPerBlock * _panelsPerPackItem;
        int p0 = kb * _kBlock, kc = Math.Min(_kBlock, _k - p0);
        int endPanel = Math.Min(_panels, firstPanel + _panelsPerPackItem);
        for (int panel = firstPanel; panel < endPanel; panel++)
        {
            int j0 = panel * _nr, cols = Math.Min(_nr, _n - j0);
            float* dst = PackedB(kb, panel);
            if (_transB) GemmPacking.PackBTransposedPanel(_b, _ldb, p0, kc, j0, cols, _nr, dst);
            else GemmPacking.PackBPanel(_b, _ldb, p0, kc, j0, cols, _nr, dst);
        }
    }

    /// <summary>One (row block, column chunk) of C over all of K.</summary>
    private void ComputeItem(int item, int worker)
    {
        int ib = item / _nChunks, jc = item % _nChunks;
        int i0 = ib * _mc, mc = Math.Min(_mc, _m - i0);
        int j0 = jc * _chunkWidth, nc = Math.Min(_chunkWidth, _n - j0);
        float* edge = _edge[worker];

        for (int kb = 0; kb < _kBlocks; kb++)
        {
            var (p0, kc, add, bias, relu) = KStep(kb, j0);

            // A is read in place: a row panel is MR rows of A (row-major) or MR adjacent columns of the stored A^T.
            int aRow = _transA ? 1 : _lda, aStep = _transA ? _lda : 1;

            for (int ir = 0; ir < mc; ir += _mr)
            {
                int rows = Math.Min(_mr, mc - ir);
                float* aPanel = _transA ? _a + (long)p0 * _lda + i0 + ir : _a + (long)(i0 + ir) * _lda + p0;
                for (int jr = 0; jr < nc; jr += _nr)
                {
                    int cols = Math.Min(_nr, nc - jr);
                    float* bPanel;
                    int ldb;
                    if (!_bInPlace) { bPanel = PackedB(kb, (j0 + jr) / _nr); ldb = _nr; }
                    else if (cols == _nr) { bPanel = _b + (long)p0 * _ldb + j0 + jr; ldb = _ldb; }
                    else { bPanel = _packB + (long)p0 * _nr; ldb = _nr; } // the partial last panel, packed by Run
                    float* cTile = _c + (long)(i0 + ir) * _ldc + j0 + jr;
                    float* tileBias = bias == null ? null : bias + jr;
                    if (rows == _mr && cols == _nr)
                    {
                        _kernel.Compute(kc, aPanel, aRow, aStep, rows, bPanel, ldb, cTile, _ldc, add, tileBias, relu);
                    }
                    else
                    {
                        // Partial tile: compute the full tile into scratch, then merge the valid part.
                        _kernel.Compute(kc, aPanel, aRow, aStep, rows, bPanel, ldb, edge, _nr, false, null, false);
                        MergeEdge(edge, cTile, rows, cols, add, tileBias, relu);
                    }
                }
            }
        }
    }

    /// <summary>Every row of A (fewer than MR) against a range of panels, with the one-row kernel.</summary>
    private void ComputeRowsItem(int item, int worker)
    {
        int firstPanel = item * _panelsPerRowItem, endPanel = Math.Min(_panels, firstPanel + _panelsPerRowItem);
        float* edge = _edge[worker];
        for (int panel = firstPanel; panel < endPanel; panel++)
        {
            int j0 = panel * _nr, cols = Math.Min(_nr, _n - j0);
            for (int i = 0; i < _m; i++)
            {
                float* cRow = _c + (long)i * _ldc + j0;
                for (int kb = 0; kb < _kBlocks; kb++)
                {
                    var (p0, kc, add, bias, relu) = KStep(kb, j0);
                    float* aRow = _a + (long)i * _lda + p0;
                    if (cols == _nr)
                    {
                        _kernel.ComputeRow(kc, aRow, PackedB(kb, panel), cRow, add, bias, relu);
                    }
                    else
                    {
                        _kernel.ComputeRow(kc, aRow, PackedB(kb, panel), edge, false, null, false);
                        MergeEdge(edge, cRow, 1, cols, add, bias, relu);
                    }
                }
            }
        }
    }

    /// <summary>
    /// K block <paramref name="kb"/> for C's columns from <paramref name="j0"/>: its first k and length, whether it adds
    /// to C (every block after the first, or all with accumulate), and the epilogue (bias, ReLU) that only the last applies.
    /// </summary>
    private KBlockStep KStep(int kb, int j0)
    {
        int p0 = kb * _kBlock;
        bool last = kb == _kBlocks - 1;
        return new KBlockStep(p0, Math.Min(_kBlock, _k - p0), _accumulate || kb > 0, last && _bias != null ? _bias + j0 : null, last && _relu);
    }

    private readonly struct KBlockStep(int p0, int kc, bool add, float* bias, bool relu)
    {
        public void Deconstruct(out int P0, out int Kc, out bool Add, out float* Bias, out bool Relu)
        {
            P0 = p0; Kc = kc; Add = add; Bias = bias; Relu = relu;
        }
    }

    private void MergeEdge(float* edge, float* c, int rows, int cols, bool add, float* bias, bool relu)
    {
        for (int r = 0; r < rows; r++)
        {
            float* src = edge + r * _nr;
            float* dst = c + (long)r * _ldc;
            for (int j = 0; j < cols; j++)
            {
                float v = src[j];
                if (add) v += dst[j];
                if (bias != null) v += bias[j];
                if (relu) v = MathF.Max(v, 0f);
                dst[j] = v;
            }
        }
    }

    private static void MatrixVector(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> x, int m, int k,
        Span<float> c, int ldc, bool accumulate, float* bias, bool relu)
    {
        for (int i = 0; i < m; i++)
        {
            float v = TensorPrimitives.Dot(a.Slice(i * lda, k), x);
            if (accumulate) v += c[i * ldc];
            if (bias != null) v += bias[0];
            if (relu) v = MathF.Max(v, 0f);
            c[i * ldc] = v;
        }
    }

    /// <summary>k = 0: the product is empty, only the accumulate/bias/ReLU part applies.</summary>
    private static void Epilogue(float* c, int m, int n, int ldc, bool accumulate, float* bias, bool relu)
    {
        for (int i = 0; i < m; i++)
        {
            float* row = c + (long)i * ldc;
            for (int j = 0; j < n; j++)
            {
                float v = accumulate ? row[j] : 0f;
                if (bias != null) v += bias[j];
                if (relu) v = MathF.Max(v, 0f);
                row[j] = v;
            }
        }
    }

    /// <summary>Grows the shared packed-B buffer (only the first products of a new size allocate).</summary>
    private void EnsurePackB(long floats)
    {
        if (floats <= _packBCapacity) return;
        NativeMemory.AlignedFree(_packB);
        _packB = Allocate(floats);
        _packBCapacity = floats;
    }

    private static float* Allocate(long floats) =>
        (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);

    private void Free()
    {
        for (int w = 0; w < _edge.Length; w++)
        {
            NativeMemory.AlignedFree(_edge[w]); _edge[w] = null;
        }
        NativeMemory.AlignedFree(_packB);
        _packB = null;
        _packBCapacity = 0;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~Sgemm() => Free();
}
