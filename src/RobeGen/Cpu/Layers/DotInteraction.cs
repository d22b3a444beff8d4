using System.Numerics;
using System.Runtime.InteropServices;
using RobeGen.Cpu.Gemm;
using RobeGen.Cpu.Threading;

namespace RobeGen.Cpu.Layers;

/// <summary>
/// DLRM's dot interaction: vectors v_0 = u (bottom MLP output) and v_{t+1} = E_t; output row
/// R = [u, z_10, z_20, z_21, z_30, ...] with z_ij = &lt;v_i, v_j&gt; for i &gt; j (row-major strict lower triangle).
/// Samples are independent, so both passes split the batch over the worker pool.
/// <para>
/// Per sample the dots are a small Gram matrix V V^T: with V^T in scratch, row i of it is a sum over the d
/// coordinates of v_i[k] times row k of V^T, computed a vector of j's at a time (no horizontal sums). Backward,
/// dV = S V with S the symmetric matrix of the dz's: each dv_i is accumulated once in registers.
/// </para>
/// </summary>
internal sealed unsafe class DotInteraction : FeatureInteraction, IParallelWork
{
    private const int SamplesPerItem = 32;

    private readonly WorkerPool _pool;
    private readonly int _dim, _tables, _vectors, _paddedVectors, _transposedLength;
    private readonly float*[] _scratch;

    // The pass being run (valid during Forward/Backward only).
    private bool _backward;
    private int _batch;

    public DotInteraction(int dim, int tables, WorkerPool pool)
    {
        _dim = dim;
        _tables = tables;
        _vectors = tables + 1;
        int w = Vector<float>.Count;
        _paddedVectors = (_vectors + w - 1) / w * w;
        _pool = pool;
        Pairs = _vectors * (_vectors - 1) / 2;
        // Per worker: V^T [d, paddedVectors] for the forward pass (padding columns zero), then S [vectors, vectors].
        _transposedLength = dim * _paddedVectors;
        int scratch = _transposedLength + _vectors * _vectors;
        _scratch = new float*[pool.Threads];
        for (int i = 0; i < _scratch.Length; i++)
        {
            _scratch[i] = (float*)NativeMemory.AlignedAlloc((nuint)(scratch * sizeof(float)), 64);
            new Span<float>(_scratch[i], scratch).Clear();
        }
    }

    public int Pairs { get; }
    /// <summary>Width of an output row: d + pairs.</summary>
    public override int Width => _dim + Pairs;

    /// <summary>The whole batch on the worker pool (the dots need no GEMM).</summary>
    public override void Forward(ReadOnlySpan<float> bottom, ReadOnlySpan<float> embeddings, Span<float> output, int batch, Sgemm gemm) =>
        Forward(bottom, embeddings, output, batch);

    /// <summary>bottom [B, d], embeddings [B, T, d] -&gt; output [B, d + P].</summary>
    public void Forward(ReadOnlySpan<float> bottom, ReadOnlySpan<float> embeddings, Span<float> output, int batch)
    {
        Check(bottom, embeddings, batch);
        if (output.Length < batch * Width) throw new ArgumentException("Output buffer too small.", nameof(output));
        fixed (float* pb = bottom, pe = embeddings, po = output)
        {
            _backward = false;
            _batch = batch;
            Bottom = pb; Embeddings = pe; Output = po;
            _pool.Run(this, Items(batch));
        }
    }

    /// <summary>dL/dR [B, d + P] -&gt; dL/du [B, d] and dL/dE [B, T, d] (both overwritten).</summary>
    public void Backward(ReadOnlySpan<float> bottom, ReadOnlySpan<float> embeddings, ReadOnlySpan<float> outputGrad,
        Span<float> bottomGrad, Span<float> embeddingGrad, int batch)
    {
        Check(bottom, embeddings, batch);
        if (outputGrad.Length < batch * Width || bottomGrad.Length < batch * _dim || embeddingGrad.Length < batch * _tables * _dim)
            throw new ArgumentException("Gradient buffer too small.");
        fixed (float* pb = bottom, pe = embeddings, pog = outputGrad, pbg = bottomGrad, peg = embeddingGrad)
        {
            _backward = true;
            _batch = batch;
            Bottom = pb; Embeddings = pe; OutputGrad = pog; BottomGrad = pbg; EmbeddingGrad = peg;
            _pool.Run(this, Items(batch));
        }
    }

    /// <summary><see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int)"/> of samples [first, first + count) on worker <paramref name="worker"/>'s scratch.</summary>
    public override void ForwardRows(int first, int count, int worker, Sgemm gemm)
    {
        for (int b = first; b < first + count; b++) ForwardSample(b, _scratch[worker]);
    }

    /// <summary><see cref="Backward"/> of samples [first, first + count) on worker <paramref name="worker"/>'s scratch.</summary>
    public override void BackwardRows(int first, int count, int worker, Sgemm gemm)
    {
        for (int b = first; b < first + count; b++) BackwardSample(b, _scratch[worker] + _transposedLength);
    }

    private void Check(ReadOnlySpan<float> bottom, ReadOnlySpan<float> embeddings, int batch)
    {
        if (bottom.Length < batch * _dim) throw new ArgumentException("Bottom output too small.", nameof(bottom));
        if (embeddings.Length < batch * _tables * _dim) throw new ArgumentException("Embeddings too small.", nameof(embeddings));
    }

    private static int Items(int batch) => (batch + SamplesPerItem - 1) / SamplesPerItem;

    public void Execute(int item, int worker)
    {
        int end = Math.Min(_batch, (item + 1) * SamplesPerItem);
        for (int b = item * SamplesPerItem; b < end; b++)
        {
            if (_backward) BackwardSample(b, _scratch[worker] + _transposedLength);
            else ForwardSample(b, _scratch[worker]);
        }
    }

    /// <summary>Vector i of a sample: u for i = 0, else the embedding of table i - 1.</summary>
    private float* VectorOf(float* u, float* e, int i) => i == 0 ? u : e + (i - 1) * _dim;

    private void ForwardSample(int b, float* vt)
    {
        int d = _dim, n = _vectors, stride = _paddedVectors, w = Vector<float>.Count;
        float* u = Bottom + (long)b * d;
        float* e = Embeddings + (long)b * _tables * d;
        float* r = Output + (long)b * Width;
        new ReadOnlySpan<float>(u, d).CopyTo(new Span<float>(r, d));

        // V^T: vt[k * stride + j] = v_j[k]; the padding columns stay zero.
        for (int j = 0; j < n; j++)
        {
            float* v = VectorOf(u, e, j);
            for (int k = 0; k < d; k++) vt[k * stride + j] = v[k];
        }

        float* z = r + d;
        Span<float> dots = stackalloc float[w];
        for (int i = 1; i < n; i++)
        {
            float* vi = VectorOf(u, e, i);
            // z_ij for j < i, w of them per vector: sum over k of v_i[k] * vt[k, j .. j + w).
            for (int j0 = 0; j0 < i; j0 += w)
            {
                Vector<float> acc = Vector<float>.Zero;
                for (int k = 0; k < d; k++) acc = Vector.FusedMultiplyAdd(new Vector<float>(vi[k]), Vector.Load(vt + k * stride + j0), acc);
                int count = Math.Min(w, i - j0);
                if (count == w) Vector.Store(acc, z);
                else
                {
                    acc.CopyTo(dots);
                    for (int t = 0; t < count; t++) z[t] = dots[t];
                }
                z += count;
            }
        }
    }

    private void BackwardSample(int b, float* s)
    {
        int d = _dim, n = _vectors, w = Vector<float>.Count;
        float* u = Bottom + (long)b * d;
        float* e = Embeddings + (long)b * _tables * d;
        float* dr = OutputGrad + (long)b * Width;
        float* du = BottomGrad + (long)b * d;
        float* de = EmbeddingGrad + (long)b * _tables * d;

        // S: the dz's placed symmetrically (z_ij depends on v_i through v_j and on v_j through v_i), zero diagonal.
        float* dz = dr + d;
        for (int i = 0; i < n; i++)
        {
            s[i * n + i] = 0f;
            for (int j = 0; j < i; j++)
            {
                float g = *dz++;
                s[i * n + j] = g;
                s[j * n + i] = g;
            }
        }

        for (int i = 0; i < n; i++)
        {
            float* dvi = VectorOf(du, de, i);
            float* row = s + i * n;
            int k = 0;
            for (; k + w <= d; k += w)
            {
                // u passes straight into R: its gradient starts from dR's first d columns.
                Vector<float> acc = i == 0 ? Vector.Load(dr + k) : Vector<float>.Zero;
                for (int j = 0; j < n; j++)
                    acc = Vector.FusedMultiplyAdd(new Vector<float>(row[j]), Vector.Load(VectorOf(u, e, j) + k), acc);
                Vector.Store(acc, dvi + k);
            }
            for (; k < d; k++)
            {
                float acc = i == 0 ? dr[k] : 0f;
                for (int j = 0; j < n; j++) acc = MathF.FusedMultiplyAdd(row[j], VectorOf(u, e, j)[k], acc);
                dvi[k] = acc;
            }
        }
    }

    private void Free()
    {
        for (int i = 0; i < _scratch.Length; i++)
        {
            NativeMemory.AlignedFree(_scratch[i]);
            _scratch[i] = null;
        }
    }

    public override void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~DotInteraction() => Free();
}
