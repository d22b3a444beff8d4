using RobeGen.Cpu.Threading;

namespace RobeGen.Cpu.Layers;

/// <summary>
/// DLRM's dot interaction: vectors v_0 = u (bottom MLP output) and v_{t+1} = E_t; output row
/// R = [u, z_10, z_20, z_21, z_30, ...] with z_ij = &lt;v_i, v_j&gt; for i &gt; j (row-major strict lower triangle).
/// Samples are independent, so both passes split the batch over the worker pool.
/// </summary>
internal sealed unsafe class DotInteraction : IParallelWork
{
    private const int SamplesPerItem = 32;

    private readonly WorkerPool _pool;
    private readonly int _dim, _tables, _vectors;

    // The pass being run (valid during Forward/Backward only).
    private bool _backward;
    private int _batch;
    private float* _bottom, _embeddings, _output, _outputGrad, _bottomGrad, _embeddingGrad;

    public DotInteraction(int dim, int tables, WorkerPool pool)
    {
        _dim = dim;
        _tables = tables;
        _vectors = tables + 1;
        _pool = pool;
        Pairs = _vectors * (_vectors - 1) / 2;
    }

    public int Pairs { get; }
    /// <summary>Width of an output row: d + pairs.</summary>
    public int Width => _dim + Pairs;

    /// <summary>bottom [B, d], embeddings [B, T, d] -&gt; output [B, d + P].</summary>
    public void Forward(ReadOnlySpan<float> bottom, ReadOnlySpan<float> embeddings, Span<float> output, int batch)
    {
        Check(bottom, embeddings, batch);
        if (output.Length < batch * Width) throw new ArgumentException("Output buffer too small.", nameof(output));
        fixed (float* pb = bottom, pe = embeddings, po = output)
        {
            _backward = false;
            _batch = batch;
            _bottom = pb; _embeddings = pe; _output = po;
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
            _bottom = pb; _embeddings = pe; _outputGrad = pog; _bottomGrad = pbg; _embeddingGrad = peg;
            _pool.Run(this, Items(batch));
        }
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
            if (_backward) BackwardSample(b);
            else ForwardSample(b);
        }
    }

    private float* Vector(float* u, float* e, int i) => i == 0 ? u : e + (i - 1) * _dim;

    private void ForwardSample(int b)
    {
        int d = _dim;
        float* u = _bottom + (long)b * d;
        float* e = _embeddings + (long)b * _tables * d;
        float* r = _output + (long)b * Width;
        new ReadOnlySpan<float>(u, d).CopyTo(new Span<float>(r, d));
        float* z = r + d;
        for (int i = 1; i < _vectors; i++)
        {
            float* vi = Vector(u, e, i);
            for (int j = 0; j < i; j++) *z++ = VectorMath.Dot(vi, Vector(u, e, j), d);
        }
    }

    private void BackwardSample(int b)
    {
        int d = _dim;
        float* u = _bottom + (long)b * d;
        float* e = _embeddings + (long)b * _tables * d;
        float* dr = _outputGrad + (long)b * Width;
        float* du = _bottomGrad + (long)b * d;
        float* de = _embeddingGrad + (long)b * _tables * d;
        // u passes straight into R; the dots add to it below.
        new ReadOnlySpan<float>(dr, d).CopyTo(new Span<float>(du, d));
        new Span<float>(de, _tables * d).Clear();
        float* dz = dr + d;
        for (int i = 1; i < _vectors; i++)
        {
            float* vi = Vector(u, e, i), dvi = Vector(du, de, i);
            for (int j = 0; j < i; j++)
            {
                float g = *dz++;
                VectorMath.Axpy(g, Vector(u, e, j), dvi, d);
                VectorMath.Axpy(g, vi, Vector(du, de, j), d);
            }
        }
    }
}
