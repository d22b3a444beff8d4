using ILGPU;
using ILGPU.Runtime;
using RobeGen.Cuda.Blas;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

/// <summary>
/// The device buffers of DcnV2's cross layers, sized for the batch capacity. What the elementwise math needs stays F32 in
/// every precision: each layer's input x_l (x_0 = [u, E, 0...]; the output x_L is the top MLP's input), y_l, the product
/// path's dL/dx0 and (BF16) the running dL/dx_l. What only the GEMMs read or write is in the activation precision: h_l,
/// dy and dh. A BF16 model adds bf16 copies of x_l as the GEMMs' operands (docs/model-math.md lists every rounding).
/// </summary>
internal sealed class CrossTensors
{
    public CrossTensors(DeviceMemory memory, MlpPlan mlp, long rows, Func<string, long, ActivationBuffer> activation, bool bf16)
    {
        int rank = mlp.Cross[0].Rank, stride = mlp.TopInputStride;
        CodeStride = InteractionShape.PadTo8(Math.Max(rank, 1));
        Inputs = mlp.Cross.Select(c => memory.Allocate<float>($"cross.{c.Index} input", rows * stride)).ToArray();
        InputCopies = bf16 ? mlp.Cross.Select(c => memory.Allocate<ushort>($"cross.{c.Index} input bf16", rows * stride)).ToArray() : null;
        Outputs = mlp.Cross.Select(c => memory.Allocate<float>($"cross.{c.Index} y", rows * stride)).ToArray();
        Codes = rank > 0 ? mlp.Cross.Select(c => activation($"cross.{c.Index} code", rows * CodeStride)).ToArray() : [];
        GradY = activation("cross y gradient", rows * stride);
        GradCode = activation("cross code gradient", rank > 0 ? rows * CodeStride : 1);
        GradX0 = memory.Allocate<float>("cross x0 gradient", rows * stride);
        // FP32 and TF32 accumulate dL/dx_l in place in the top MLP's (F32) gradient buffer; a BF16 one is bf16.
        GradInput = bf16 ? memory.Allocate<float>("cross input gradient", rows * stride) : null;
    }

    /// <summary>x_0 .. x_{L-1}, F32 [rows, TopInputStride] each.</summary>
    public MemoryBuffer1D<float, Stride1D.Dense>[] Inputs { get; }
    /// <summary>BF16 models: x_l rounded to bf16, what the layer's GEMMs read (null otherwise: they read x_l).</summary>
    public MemoryBuffer1D<ushort, Stride1D.Dense>[]? InputCopies { get; }
    /// <summary>y_l = U (V x_l) + b or W x_l + b, F32 [rows, TopInputStride] each.</summary>
    public MemoryBuffer1D<float, Stride1D.Dense>[] Outputs { get; }
    /// <summary>Low rank: h_l = V x_l, [rows, <see cref="CodeStride"/>] each.</summary>
    public ActivationBuffer[] Codes { get; }
    public int CodeStride { get; }
    public ActivationBuffer GradY { get; }
    public ActivationBuffer GradCode { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> GradX0 { get; }
    /// <summary>BF16 models: the F32 dL/dx_l the backward accumulates (null otherwise).</summary>
    public MemoryBuffer1D<float, Stride1D.Dense>? GradInput { get; }

    /// <summary>What layer <paramref name="l"/>'s GEMMs read for x_l: its bf16 copy (BF16) or x_l itself.</summary>
    public DeviceMatrix Operand(int l) => InputCopies is { } copies ? copies[l].View : Inputs[l].View;
}
