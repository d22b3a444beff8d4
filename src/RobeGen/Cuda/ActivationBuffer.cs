using ILGPU;
using ILGPU.Runtime;
using RobeGen.Cuda.Blas;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Cuda;

/// <summary>
/// A device activation tensor in the model's activation precision: F32 (FP32, TF32) or bf16 (BF16). Gives the GEMMs a
/// <see cref="DeviceMatrix"/> and the kernels an <see cref="Activations"/> view of the same memory.
/// </summary>
internal sealed class ActivationBuffer
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _f32;
    private readonly MemoryBuffer1D<ushort, Stride1D.Dense>? _bf16;
    private readonly ActivationStandIns _standIns;

    public ActivationBuffer(DeviceMemory memory, ActivationStandIns standIns, string tensor, long length, bool bf16)
    {
        _standIns = standIns;
        if (bf16) _bf16 = memory.Allocate<ushort>(tensor, length);
        else _f32 = memory.Allocate<float>(tensor, length);
    }

    public bool IsBf16 => _bf16 is not null;
    public long Length => _f32?.Length ?? _bf16!.Length;
    public DeviceMatrix Matrix => _f32 is not null ? (DeviceMatrix)_f32.View : _bf16!.View;
    public Activations View => new(_f32?.View ?? _standIns.Floats, _bf16?.View ?? _standIns.Bf16, IsBf16);

    /// <summary>The F32 view (FP32 and TF32 models); throws on a bf16 tensor.</summary>
    public ArrayView<float> F32 => _f32?.View ?? throw new InvalidOperationException("This activation tensor is bf16.");
}

/// <summary>One-element views that stand in for the unused type of an <see cref="Activations"/> (ILGPU launches need every view).</summary>
internal sealed class ActivationStandIns
{
    public ActivationStandIns(DeviceMemory memory)
    {
        Floats = memory.Allocate<float>("stand-in", 1).View;
        Bf16 = memory.Allocate<ushort>("stand-in", 1).View;
    }

    public ArrayView<float> Floats { get; }
    public ArrayView<ushort> Bf16 { get; }

    /// <summary>An F32 view (a dense input, logits) as kernels take activations.</summary>
    public Activations Of(ArrayView<float> view) => new(view, Bf16, isBf16: false);
}
