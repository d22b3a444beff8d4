using System.Runtime.InteropServices;
using static RobeGen.Cpu.Quantized.Int8MicroKernel;

namespace RobeGen.Cpu.Quantized;

/// <summary>
/// A layer's weight matrix W [outputs x inputs] (nn.Linear's layout) as 7-bit signed integers with one scale per
/// output: W[j, k] ~ Scale[j] * Q[j, k], Scale[j] = max_k |W[j, k]| / 63, Q = round(W / Scale) in -63 .. 63. Q is
/// stored in <see cref="Int8MicroKernel"/>'s weight panels (zero past the last input and the last output), with the
/// sums of Q over each input group that the activations' zero points need. Built once per version of the weights,
/// never per batch.
/// </summary>
internal sealed unsafe class QuantizedWeights : IDisposable
{
    /// <summary>Largest magnitude: 7 bits, with activations of 8 (see <see cref="Int8MicroKernel"/> for why the pair fits).</summary>
    public const int MaxLevel = 63;

    public QuantizedWeights(int outputs, InputGroups groups)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        ArgumentNullException.ThrowIfNull(groups);
        Outputs = outputs;
        Groups = groups;
        int inputs = Inputs = groups.Width;
        Quads = (inputs + KStep - 1) / KStep;
        Panels = (outputs + NR - 1) / NR;
        Scale = new float[outputs];
        ColumnSum = new int[outputs * groups.Count];
        long bytes = (long)Panels * Quads * WeightQuadBytes;
        Panel0 = (sbyte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        NativeMemory.Clear(Panel0, (nuint)bytes);
    }

    public int Outputs { get; }
    public int Inputs { get; }
    /// <summary>The input groups the activations will be quantized with (one zero point each).</summary>
    public InputGroups Groups { get; }
    /// <summary>Inputs rounded up to whole quads, over 4.</summary>
    public int Quads { get; }
    /// <summary>Weight panels of NR outputs.</summary>
    public int Panels { get; }
    /// <summary>Per output: the float value of one integer step.</summary>
    public float[] Scale { get; }
    /// <summary>Per group g and output j (index g * Outputs + j): the sum of Q[j, k] over the group's inputs.</summary>
    public int[] ColumnSum { get; }
    /// <summary>Which version of the owner's weights this holds (-1 = none yet).</summary>
    public long Version { get; set; } = -1;

    internal sbyte* Panel0 { get; private set; }

    /// <summary>The panel of outputs p*NR .. p*NR + NR-1.</summary>
    internal sbyte* Panel(int p) => Panel0 + (long)p * Quads * WeightQuadBytes;

    /// <summary>Quantizes <paramref name="weight"/> (row-major [Outputs x Inputs]) into the panels.</summary>
    public void Quantize(ReadOnlySpan<float> weight)
    {
        ObjectDisposedException.ThrowIf(Panel0 == null, this);
        if (weight.Length != (long)Outputs * Inputs) throw new ArgumentException($"Need {Outputs} x {Inputs} weights, got {weight.Length}.", nameof(weight));
        for (int j = 0; j < Outputs; j++)
        {
            ReadOnlySpan<float> row = weight.Slice(j * Inputs, Inputs);
            float absMax = 0f;
            foreach (float v in row) absMax = MathF.Max(absMax, MathF.Abs(v));
            // An all-zero row has no scale to speak of: Q = 0 and Scale = 0 give the exact product 0.
            float inverse = absMax > 0f ? MaxLevel / absMax : 0f;
            Scale[j] = absMax / MaxLevel;
            sbyte* column = Panel(j / NR) + (j % NR) * KStep;
            for (int g = 0; g < Groups.Count; g++)
            {
                int sum = 0;
                for (int k = Groups.Start(g); k < Groups.End(g); k++)
                {
                    int q = Math.Clamp((int)MathF.Round(row[k] * inverse), -MaxLevel, MaxLevel);
                    column[(k / KStep) * WeightQuadBytes + k % KStep] = (sbyte)q;
                    sum += q;
                }
                ColumnSum[g * Outputs + j] = sum;
            }
        }
    }

    /// <summary>Q[j, k] back out of the panels (tests).</summary>
    internal sbyte this[int j, int k] => Panel(j / NR)[(k / KStep) * WeightQuadBytes + (j % NR) * KStep + k % KStep];

    private void Free()
    {
        NativeMemory.AlignedFree(Panel0);
        Panel0 = null;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~QuantizedWeights() => Free();
}
