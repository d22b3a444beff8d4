using System.Numerics;

namespace RobeGen.Cpu.Layers;

/// <summary>The ReLU's backward step (its forward is fused into the GEMM's epilogue).</summary>
internal static class Relu
{
    /// <summary>grad = output &gt; 0 ? grad : 0, where output is the ReLU's output (zero exactly where the input was &lt;= 0).</summary>
    public static void MaskGradient(ReadOnlySpan<float> output, Span<float> grad)
    {
        if (output.Length != grad.Length) throw new ArgumentException("Output and gradient lengths differ.", nameof(grad));
        int w = Vector<float>.Count;
        int i = 0;
        for (; i <= grad.Length - w; i += w)
        {
            var mask = Vector.GreaterThan(new Vector<float>(output.Slice(i, w)), Vector<float>.Zero);
            Vector.ConditionalSelect(mask, new Vector<float>(grad.Slice(i, w)), Vector<float>.Zero).CopyTo(grad.Slice(i, w));
        }
        for (; i < grad.Length; i++)
            if (!(output[i] > 0f)) grad[i] = 0f;
    }
}
