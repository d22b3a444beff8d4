using ILGPU;
using ILGPU.Runtime;
using RobeGen.Cuda.Blas;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

/// <summary>
/// The device buffers of DcnV2's cross layers, sized for the batch capacity. The running sums stay F32 in every
/// precision: x_1 .. x_{L-1} (x_{l+1} = x0 * y_l + x_l adds a correction often below a bf16 ulp of the sum), the product
/// path's dL/dx0 and (BF16) the running dL/dx_l. The rest is in the activation precision: x0 = [u, E, 0...] (which a
/// BF16 model rounds once), y_l, h_l, dy and dh. A BF16 model adds bf16 copies of x_1 .. x_{L-1} as the GEMMs'
/// operands (docs/model-math.md lists every rounding).
/// </summary>
internal sealed class CrossTensors
{
    private readonly ActivationStandIns _standIns;

    public CrossTensors(DeviceMemory memory, MlpPlan mlp, long rows, Func<string, long, ActivationBuffer> activation, bool bf16, ActivationStandIns standIns)
    {
        _standIns = standIns;
        int rank = mlp.Cross[0].Rank, stride = mlp.TopInputStride;
        CodeStride = InteractionShape.PadTo8(Math.Max(rank, 1));
        X0 = activation("cross.0 input", rows * stride);
        IEnumerable<CrossLayerPlan> later = mlp.Cross.Skip(1);
        Sums = later.Select(c => memory.Allocate<float>($"cross.{c.Index} input", rows * stride)).ToArray();
        SumCopies = bf16 ? later.Select(c => memory.Allocate<ushort>($"cross.{c.Index} input bf16", rows * stride)).ToArray() : null;
        Outputs = mlp.Cross.Select(c => activation($"cross.{c.Index} y", rows * stride)).ToArray();
        Codes = rank > 0 ? mlp.Cross.Select(c => activation($"cross.{c.Index} code", rows * CodeStride)).ToArray() : [];
        GradY = activation("cross y gradient", rows * stride);
        GradCode = activation("cross code gradient", rank > 0 ? rows * CodeStride : 1);
        GradX0 = memory.Allocate<float>("cross x0 gradient", rows * stride);
        // FP32 and TF32 accumulate dL/dx_l in place in the top MLP's (F32) gradient buffer; a BF16 one is bf16.
        GradInput = bf16 ? memory.Allocate<float>("cross input gradient", rows * stride) : null;
    }

    /// <summary>x0 = [u, E, 0...], [rows, TopInputStride]: the first layer's input, and what every combine multiplies.</summary>
    public ActivationBuffer X0 { get; }
    /// <summary>x_1 .. x_{L-1}, F32 [rows, TopInputStride] each (x_L is the top MLP's input).</summary>
    public MemoryBuffer1D<float, Stride1D.Dense>[] Sums { get; }
    /// <summary>BF16 models: x_1 .. x_{L-1} rounded to bf16, what those layers' GEMMs read (null otherwise: they read the sums).</summary>
    public MemoryBuffer1D<ushort, Stride1D.Dense>[]? SumCopies { get; }
    /// <summary>y_l = U (V x_l) + b or W x_l + b, [rows, TopInputStride] each.</summary>
    public ActivationBuffer[] Outputs { get; }
    /// <summary>Low rank: h_l = V x_l, [rows, <see cref="CodeStride"/>] each.</summary>
    public ActivationBuffer[] Codes { get; }
    public int CodeStride { get; }
    public ActivationBuffer GradY { get; }
    public ActivationBuffer GradCode { get; }
    public MemoryBuffer1D<float, Stride1D.Dense> GradX0 { get; }
    /// <summary>BF16 models: the F32 dL/dx_l the backward accumulates (null otherwise).</summary>
    public MemoryBuffer1D<float, Stride1D.Dense>? GradInput { get; }

    /// <summary>What layer <paramref name="l"/>'s GEMMs read for x_l: x0, a later input's bf16 copy (BF16), or that input itself.</summary>
    public DeviceMatrix Operand(int l) => l == 0 ? X0.Matrix : SumCopies is { } copies ? copies[l - 1].View : Sums[l - 1].View;

    /// <summary>x_l as layer <paramref name="l"/>'s combine adds it (the skip connection): x0, or the F32 running sum.</summary>
    public Activations Skip(int l) => l == 0 ? X0.View : _standIns.Of(Sums[l - 1].View);

    /// <summary>
    /// Where layer <paramref name="l"/>'s combine writes x_{l+1}: the F32 running sum and (BF16) its bf16 copy, with
    /// <c>WriteCopy</c> 1; after the last layer, <paramref name="topInput"/> alone (a stand-in copy, <c>WriteCopy</c> 0).
    /// </summary>
    public (Activations Next, ArrayView<ushort> Copy, int WriteCopy) CombineTarget(int l, Activations topInput)
    {
        if (l == Outputs.Length - 1) return (topInput, _standIns.Bf16, 0);
        Activations next = _standIns.Of(Sums[l].View);
        return SumCopies is { } copies ? (next, copies[l].View, 1) : (next, _standIns.Bf16, 0);
    }
}
