using System.Numerics;
using System.Numerics.Tensors;

namespace RobeGen.Cpu.Optimizers;

/// <summary>Updates of dense parameters (every entry), as docs/model-math.md defines them.</summary>
internal static class DenseOptimizer
{
    /// <summary>PyTorch's Adagrad epsilon, added to the root of the accumulator.</summary>
    public const float AdagradEpsilon = 1e-10f;

    /// <summary>w -= lr * g.</summary>
    public static void Sgd(Span<float> weights, ReadOnlySpan<float> grad, float learningRate) =>
        TensorPrimitives.MultiplyAdd(grad, -learningRate, weights, weights);

    /// <summary>G += g * g; w -= lr * g / (sqrt(G) + 1e-10).</summary>
    public static void Adagrad(Span<float> weights, Span<float> accumulator, ReadOnlySpan<float> grad, float learningRate)
    {
        if (weights.Length != grad.Length || accumulator.Length != grad.Length) throw new ArgumentException("Tensor lengths differ.");
        int w = Vector<float>.Count;
        int i = 0;
        var lr = new Vector<float>(learningRate);
        var eps = new Vector<float>(AdagradEpsilon);
        for (; i <= grad.Length - w; i += w)
        {
            var g = new Vector<float>(grad.Slice(i, w));
            var sum = new Vector<float>(accumulator.Slice(i, w)) + g * g;
            sum.CopyTo(accumulator.Slice(i, w));
            (new Vector<float>(weights.Slice(i, w)) - lr * g / (Vector.SquareRoot(sum) + eps)).CopyTo(weights.Slice(i, w));
        }
        for (; i < grad.Length; i++) AdagradScalar(ref weights[i], ref accumulator[i], grad[i], learningRate);
    }

    /// <summary>One entry of <see cref="Adagrad"/>, with the same roundings as its vector lanes.</summary>
    public static void AdagradScalar(ref float weight, ref float accumulator, float g, float learningRate)
    {
        float sum = accumulator + g * g;
        accumulator = sum;
        weight -= learningRate * g / (MathF.Sqrt(sum) + AdagradEpsilon);
    }
}
