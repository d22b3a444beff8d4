namespace RobeGen.Cpu.Quantized;

/// <summary>
/// The integer inner kernel of <see cref="Int8Gemm"/>: an MR x NR tile of int32 dot products of 7-bit unsigned
/// activations with 8-bit signed weights, both in the panel layouts below (shared by every kernel, so any kernel can
/// run on any packed operand).
/// <para>
/// k runs in steps of <see cref="KStep"/> = 4 ("quads"). An activation panel holds MR rows: for quad q, row r, the
/// four bytes a[k = 4q .. 4q+3] at offset q*MR*4 + r*4. A weight panel holds NR output columns: for quad q,
/// column j, the four bytes w[j, 4q .. 4q+3] at offset q*NR*4 + j*4. One 32-bit lane of a weight vector is then four
/// consecutive k of one column, which is what AVX-512BW's vpmaddubsw + vpmaddwd reduce.
/// </para>
/// <para>
/// Operand ranges: activations 0..255, weights -64..63. A pair of products then stays within
/// [2 * 255 * -64, 2 * 255 * 63] = [-32,640, 32,130], inside int16, so vpmaddubsw's saturating 16-bit pair sums never saturate and every kernel
/// computes the exact integer sum (no kernel may differ from another by a single bit). Of the two ways to fit the
/// pair (8-bit activations with 7-bit weights, or 7-bit activations with 8-bit weights), the first lost less AUC on
/// the Kaggle split: one scale per row is shared by many more values than one scale per output.
/// </para>
/// </summary>
internal abstract unsafe class Int8MicroKernel
{
    /// <summary>Rows of an activation panel and of a full tile.</summary>
    public const int MR = 8;
    /// <summary>Columns of a weight panel and of a tile.</summary>
    public const int NR = 32;
    /// <summary>Consecutive k values that share one 32-bit lane.</summary>
    public const int KStep = 4;
    /// <summary>Bytes of one quad of an activation panel (MR rows x 4).</summary>
    public const int ActivationQuadBytes = MR * KStep;
    /// <summary>Bytes of one quad of a weight panel (NR columns x 4).</summary>
    public const int WeightQuadBytes = NR * KStep;

    public abstract string Name { get; }

    /// <summary>
    /// tile[r * NR + j] = sum over q &lt; <paramref name="quads"/>, t &lt; 4 of
    /// a[q*32 + r*4 + t] * w[q*128 + j*4 + t] for r &lt; <paramref name="rows"/> (1 .. MR); later rows of the tile are
    /// left alone, and activation rows past <paramref name="rows"/> are never read.
    /// </summary>
    public abstract void Compute(int quads, byte* activations, int rows, sbyte* weights, int* tile);

    /// <summary>The fastest kernel this machine runs.</summary>
    public static Int8MicroKernel Best => Int8Kernel512.IsSupported ? new Int8Kernel512() : new Int8KernelScalar();
}
