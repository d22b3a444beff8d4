using ILGPU;
using ILGPU.Algorithms;

namespace RobeGen.Cuda.Kernels;

/// <summary>Sigmoid + binary cross-entropy from logits, reduced on the device so only one float ever leaves it.</summary>
internal static class LossKernels
{
    /// <summary>Most threads of the one group that reduces the per-sample losses (launch with a power of two up to this).</summary>
    public const int MaxReduceGroupSize = 256;

    /// <summary>
    /// Per sample: loss l = max(s, 0) - s y + log(1 + exp(-|s|)) (stable for any s) and dL/ds = (sigmoid(s) - y) / B.
    /// </summary>
    public static void Forward(Index1D i, ArrayView<float> logits, ArrayView<float> labels, ArrayView<float> losses,
        ArrayView<float> gradLogits, int batch)
    {
        float s = logits[i], y = labels[i];
        float e = XMath.Exp(-XMath.Abs(s));
        losses[i] = XMath.Max(s, 0f) - s * y + XMath.Log(1f + e);
        gradLogits[i] = (Sigmoid(s, e) - y) / batch;
    }

    /// <summary>p = sigmoid(s), in place-safe (probabilities may alias logits).</summary>
    public static void Probabilities(Index1D i, ArrayView<float> logits, ArrayView<float> probabilities)
    {
        float s = logits[i];
        probabilities[i] = Sigmoid(s, XMath.Exp(-XMath.Abs(s)));
    }

    /// <summary>
    /// Mean of values[0, count) into result[0] with ONE group of G threads (G a power of two): thread t sums
    /// t, t + G, t + 2G, ... in order, then a fixed tree. The same inputs always give the same bits. The mean is
    /// also added to result[1] (a running sum for callers that read the loss only now and then).
    /// </summary>
    public static void MeanReduce(ArrayView<float> values, int count, ArrayView<float> result)
    {
        var partial = SharedMemory.Allocate<float>(MaxReduceGroupSize);
        int t = Group.IdxX, groupSize = Group.DimX;
        float sum = 0f;
        for (int k = t; k < count; k += groupSize) sum += values[k];
        partial[t] = sum;
        Group.Barrier();
        for (int width = groupSize / 2; width > 0; width /= 2)
        {
            if (t < width) partial[t] += partial[t + width];
            Group.Barrier();
        }
        if (t == 0)
        {
            float mean = partial[0] / count;
            result[0] = mean;
            result[1] += mean;
        }
    }

    // sigmoid from e = exp(-|s|): never overflows.
    internal static float Sigmoid(float s, float e) => s >= 0f ? 1f / (1f + e) : e / (1f + e);
}
