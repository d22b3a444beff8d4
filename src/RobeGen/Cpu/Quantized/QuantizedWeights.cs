using System.Runtime.InteropServices;
using static RobeGen.Cpu.Quantized.Int8MicroKernel;

namespace RobeGen.Cpu.Quantized;

/// <summary>
/// A layer's weight matrix W [outputs x inputs] (nn.Linear's layout) as 8-bit integers with one scale per output:
/// W[j, k] ~ Scale[j] * Q[j, k], Scale[j] = max_k |W[j, k]| / 127, Q = round(W / Scale) in -127 .. 127. Q is stored in
/// <see cref="Int8MicroKernel"/>'s weight panels (zero past the last input and the last output), with the column sums
/// of Q that the activations' zero point needs. Built once per version of the weights, never per batch.
/// </summary>
internal sealed unsafe class QuantizedWeights : IDisposable
{
    public QuantizedWeights(int outputs, int inputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        Outputs = outputs;
        Inputs = inputs;
        Quads = (inputs + KStep - 1) / KStep;
        Panels = (outputs + NR - 1) / NR;
        Scale = new float[outputs];
        ColumnSum = new int[outputs];
        long bytes = (long)Panels * Quads * WeightQuadBytes;
        Panel0 = (sbyte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        NativeMemory.Clear(Panel0, (nuint)bytes);
    }

    public int Outputs { get; }
    public int Inputs { get; }
    /// <summary>Inputs rounded up to whole quads, over 4.</summary>
    public int Quads { get; }
    /// <summary>Weight panels of NR outputs.</summary>
    public int Panels { get; }
    /// <summary>Per output: the float value of one integer step.</summary>
    public float[] Scale { get; }
    /// <summary>Per output: sum over k of Q[j, k].</summary>
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
            float inverse = absMax > 0f ? 127f / absMax : 0f;
            Scale[j] = absMax / 127f;
            sbyte* column = Panel(j / NR) + (j % NR) * KStep;
            int sum = 0;
            for (int k = 0; k < Inputs; k++)
            {
                int q = Math.Clamp((int)MathF.Round(row[k] * inverse), -127, 127);
                column[(k / KStep) * WeightQuadBytes + k % KStep] = (sbyte)q;
                sum += q;
            }
            ColumnSum[j] = sum;
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
