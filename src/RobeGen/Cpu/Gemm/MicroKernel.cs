namespace RobeGen.Cpu.Gemm;

/// <summary>
/// The register-blocked inner kernel of the GEMM: C[MR x NR] (+)= A_panel * B_panel over kc steps, where the
/// A panel holds MR values per step (packed column by column) and the B panel NR values per step.
/// </summary>
internal abstract unsafe class MicroKernel
{
    /// <summary>Rows of C per call.</summary>
    public abstract int MR { get; }
    /// <summary>Columns of C per call.</summary>
    public abstract int NR { get; }
    public abstract string Name { get; }

    /// <summary>
    /// Computes the MR x NR tile at <paramref name="c"/> (row stride <paramref name="ldc"/>):
    /// c = (add ? c : 0) + sum_p a[r*aRow + p*aStep] * b[p*ldb + j], then + bias[j] when <paramref name="bias"/> is not
    /// null, then max(., 0) when <paramref name="relu"/>. Only the first <paramref name="rows"/> rows of A are read
    /// (later rows repeat the last one; the caller discards their results).
    /// <para>
    /// The strides let the kernel read its operands where they already are: A row-major (aRow = lda, aStep = 1) or
    /// stored transposed (aRow = 1, aStep = lda); B row-major with whole NR-wide panels (ldb = its row stride) or a
    /// packed panel (ldb = NR). Each step reads MR values of A and NR consecutive values of B either way.
    /// </para>
    /// </summary>
    public abstract void Compute(int kc, float* a, int aRow, int aStep, int rows, float* b, int ldb, float* c, int ldc,
        bool add, float* bias, bool relu);

    /// <summary>
    /// One row of <see cref="Compute"/>: c[0 .. NR) = (add ? c : 0) + sum_p a[p] * b[p*NR + j] (+ bias, then ReLU),
    /// with <paramref name="a"/> the row's kc values in order. Every element gets exactly the operations of its row in
    /// <see cref="Compute"/> (the same FMA chain over p, then the same adds), so both give identical bits.
    /// </summary>
    public abstract void ComputeRow(int kc, float* a, float* b, float* c, bool add, float* bias, bool relu);

    /// <summary>The fastest kernel this machine runs.</summary>
    public static MicroKernel Best =>
        Kernel512.IsSupported ? new Kernel512() : new KernelVector();
}
