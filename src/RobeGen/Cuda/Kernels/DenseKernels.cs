using ILGPU;

namespace RobeGen.Cuda.Kernels;

/// <summary>Element-wise kernels of the MLP layers. Row-major activations [rows, cols]; one thread per element.</summary>
internal static class DenseKernels
{
    /// <summary>y[r, c] += bias[c], then ReLU when <paramref name="relu"/> != 0 (the GEMM wrote x W^T into y).</summary>
    public static void BiasActivation(Index1D i, ArrayView<float> y, ArrayView<float> bias, int cols, int relu)
    {
        float v = y[i] + bias[i % cols];
        y[i] = relu != 0 && !(v > 0f) ? 0f : v;
    }

    /// <summary>grad *= (output > 0): the ReLU derivative taken from the layer's post-ReLU output.</summary>
    public static void ReluBackward(Index1D i, ArrayView<float> grad, ArrayView<float> output)
    {
        if (!(output[i] > 0f)) grad[i] = 0f;
    }

    public static void Fill(Index1D i, ArrayView<float> target, float value) => target[i] = value;
}
