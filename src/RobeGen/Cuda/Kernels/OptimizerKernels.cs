using ILGPU;
using ILGPU.Algorithms;

namespace RobeGen.Cuda.Kernels;

/// <summary>Dense optimizer updates over a flat parameter buffer (all MLP tensors at once).</summary>
internal static class OptimizerKernels
{
    /// <summary>Adagrad's epsilon, as PyTorch: w -= lr g / (sqrt(G) + eps).</summary>
    public const float AdagradEpsilon = 1e-10f;

    public static void Sgd(Index1D i, ArrayView<float> weights, ArrayView<float> grads, float learningRate) =>
        weights[i] -= learningRate * grads[i];

    public static void Adagrad(Index1D i, ArrayView<float> weights, ArrayView<float> grads, ArrayView<float> accumulators, float learningRate)
    {
        float g = grads[i];
        float acc = accumulators[i] + g * g;
        accumulators[i] = acc;
        weights[i] -= learningRate * g / (XMath.Sqrt(acc) + AdagradEpsilon);
    }
}
