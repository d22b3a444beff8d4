using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RobeGen.Cpu.Threading;
using static RobeGen.Cpu.Quantized.Int8MicroKernel;

namespace RobeGen.Cpu.Quantized;

/// <summary>
/// A batch of FP32 activations [rows x width] as 8-bit unsigned integers with a scale and a zero point per row and
/// input group (<see cref="InputGroups"/>), in <see cref="Int8MicroKernel"/>'s activation panels:
/// x ~ Scale[i, g] * (Q[i, k] - Zero[i, g]) with Q in 0 .. 255. The range of each (row, group) is
/// [min(0, min x), max(0, max x)] mapped onto 0 .. 255, so 0 is exact (ReLU zeros stay zeros) and a row without
/// negatives gets Zero = 0 and all 255 steps above it. Each row is quantized on its own, so a row's result never
/// depends on the batch around it; buffers are sized once for the largest batch, width and group count.
/// </summary>
internal sealed unsafe class QuantizedActivations : IParallelWork, IDisposable
{
    /// <summary>Row panels per work item of <see cref="Quantize"/>.</summary>
    private const int PanelsPerItem = 8;
    /// <summary>Largest level: 8 bits, with weights of 7 (see <see cref="Int8MicroKernel"/> for why the pair fits).</summary>
    public const int MaxLevel = 255;
    private readonly int _maxRows, _maxWidth, _maxGroups;
    private readonly float[] _scale;
    private readonly int[] _zero;
    private byte* _data;
    // The call being run (valid during Quantize only).
    private float* _source;
    private int _sourceStride;

    public QuantizedActivations(int maxRows, int maxWidth, int maxGroups = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroups, 1);
        _maxRows = maxRows;
        _maxWidth = maxWidth;
        _maxGroups = maxGroups;
        _scale = new float[maxRows * maxGroups];
        _zero = new int[maxRows * maxGroups];
        Groups = InputGroups.Single(1);
        long bytes = (long)RowPanelsOf(maxRows) * QuadsOf(maxWidth) * ActivationQuadBytes;
        _data = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        NativeMemory.Clear(_data, (nuint)bytes);
    }

    /// <summary>Rows of the last <see cref="Quantize"/>.</summary>
    public int Rows { get; private set; }
    /// <summary>Width (k) of the last <see cref="Quantize"/>.</summary>
    public int Width => Groups.Width;
    /// <summary>Input groups of the last <see cref="Quantize"/>.</summary>
    public InputGroups Groups { get; private set; }
    /// <summary>Width rounded up to quads, over 4.</summary>
    public int Quads => QuadsOf(Width);
    /// <summary>Per row, per group (index i * Groups.Count + g).</summary>
    public ReadOnlySpan<float> Scale => _scale.AsSpan(0, Rows * Groups.Count);
    /// <summary>Per row, per group (index i * Groups.Count + g).</summary>
    public ReadOnlySpan<int> Zero => _zero.AsSpan(0, Rows * Groups.Count);

    /// <summary>The activation panel of rows p*MR .. p*MR + MR-1.</summary>
    internal byte* Panel(int p) => _data + (long)p * Quads * ActivationQuadBytes;

    /// <summary>Q[i, k] (tests).</summary>
    internal byte this[int i, int k] => Panel(i / MR)[(k / KStep) * ActivationQuadBytes + (i % MR) * KStep + k % KStep];

    /// <summary>Quantizes <paramref name="rows"/> rows of <paramref name="groups"/>.Width values (row stride = width) on the pool.</summary>
    public void Quantize(WorkerPool pool, ReadOnlySpan<float> source, int rows, InputGroups groups)
    {
        ObjectDisposedException.ThrowIf(_data == null, this);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, _maxRows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(groups.Width, _maxWidth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(groups.Count, _maxGroups);
        int width = groups.Width;
        if (source.Length < (long)rows * width) throw new ArgumentException($"Need {rows} x {width} values, got {source.Length}.", nameof(source));
        Rows = rows;
        Groups = groups;
        fixed (float* s = source)
        {
            _source = s;
            _sourceStride = width;
            try
            {
                int items = (RowPanelsOf(rows) + PanelsPerItem - 1) / PanelsPerItem;
                if (pool.Threads > 1 && (long)rows * width >= 1 << 15) pool.Run(this, items);
                else for (int i = 0; i < items; i++) Execute(i, 0);
            }
            finally
            {
                _source = null;
            }
        }
    }

    void IParallelWork.Execute(int item, int worker) => Execute(item, worker);

    private void Execute(int item, int worker)
    {
        int first = item * PanelsPerItem * MR, end = Math.Min(Rows, first + PanelsPerItem * MR);
        for (int i = first; i < end; i++)
            for (int g = 0; g < Groups.Count; g++)
                QuantizeRange(i, g, Groups.Start(g), Groups.End(g));
    }

    /// <summary>Inputs <paramref name="start"/> .. <paramref name="end"/> of row <paramref name="i"/> as group <paramref name="g"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see Int8Gemm.Execute
    private void QuantizeRange(int i, int g, int start, int end)
    {
        float* source = _source + (long)i * _sourceStride;
        (float lo, float hi) = RangeWithZero(source + start, end - start);
        float range = hi - lo;
        // An all-zero row: every Q is 0 and any scale reproduces it exactly.
        float inverse = range > 0f ? MaxLevel / range : 0f;
        int zero = (int)MathF.Round(-lo * inverse);
        _scale[i * Groups.Count + g] = range / MaxLevel;
        _zero[i * Groups.Count + g] = zero;

        // Row i's bytes: quad q at q*ActivationQuadBytes + (i % MR)*4.
        byte* dst = Panel(i / MR) + (i % MR) * KStep;
        int k = start;
        if (Avx512F.IsSupported)
        {
            Vector512<float> scale = Vector512.Create(inverse);
            Vector512<int> offset = Vector512.Create(zero), max = Vector512.Create(MaxLevel);
            for (; k + 16 <= end; k += 16)
            {
                Vector512<int> q = Vector512.ConvertToInt32(Vector512.Round(Vector512.Load(source + k) * scale)) + offset;
                q = Vector512.Min(Vector512.Max(q, Vector512<int>.Zero), max);
                // 16 bytes = quads k/4 .. k/4+3, which lie ActivationQuadBytes apart.
                Vector128<uint> bytes = Avx512F.ConvertToVector128Byte(q).AsUInt32();
                byte* d = dst + (k / KStep) * ActivationQuadBytes;
                *(uint*)d = bytes.GetElement(0);
                *(uint*)(d + ActivationQuadBytes) = bytes.GetElement(1);
                *(uint*)(d + 2 * ActivationQuadBytes) = bytes.GetElement(2);
                *(uint*)(d + 3 * ActivationQuadBytes) = bytes.GetElement(3);
            }
        }
        for (; k < end; k++) dst[(k / KStep) * ActivationQuadBytes + k % KStep] = QuantizeValue(source[k], inverse, zero);
        // The padding of the last quad multiplies zero weights; it is cleared anyway so that results never read stale bytes.
        for (; k % KStep != 0; k++) dst[(k / KStep) * ActivationQuadBytes + k % KStep] = 0;
    }

    /// <summary>[min(0, min x), max(0, max x)] in one pass (this loop, not a library call: it runs fully optimized
    /// from the first batch, see Int8Gemm.Execute).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float Lo, float Hi) RangeWithZero(float* x, int count)
    {
        int k = 0;
        float lo = 0f, hi = 0f;
        if (Vector512.IsHardwareAccelerated && count >= 16)
        {
            Vector512<float> vlo = Vector512<float>.Zero, vhi = Vector512<float>.Zero;
            for (; k + 16 <= count; k += 16)
            {
                Vector512<float> v = Vector512.Load(x + k);
                vlo = Vector512.Min(vlo, v);
                vhi = Vector512.Max(vhi, v);
            }
            for (int j = 0; j < 16; j++)
            {
                lo = MathF.Min(lo, vlo.GetElement(j));
                hi = MathF.Max(hi, vhi.GetElement(j));
            }
        }
        for (; k < count; k++)
        {
            lo = MathF.Min(lo, x[k]);
            hi = MathF.Max(hi, x[k]);
        }
        return (lo, hi);
    }

    /// <summary>One value, with exactly the vector loop's operations (multiply, round to nearest even, add, clamp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte QuantizeValue(float x, float inverse, int zero) =>
        (byte)Math.Clamp((int)MathF.Round(x * inverse) + zero, 0, MaxLevel);

    private static int RowPanelsOf(int rows) => (rows + MR - 1) / MR;
    private static int QuadsOf(int width) => (width + KStep - 1) / KStep;

    private void Free()
    {
        NativeMemory.AlignedFree(_data);
        _data = null;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~QuantizedActivations() => Free();
}
