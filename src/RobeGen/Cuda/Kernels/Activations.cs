using System.Runtime.CompilerServices;
using ILGPU;

namespace RobeGen.Cuda.Kernels;

/// <summary>
/// An activation tensor as a kernel sees it: F32 (FP32/TF32 models) or bf16 (BF16 models), chosen per tensor at run
/// time. One kernel serves both precisions; the branch is uniform across the launch. The view of the other type is a
/// one-element stand-in (kernels take every view).
/// </summary>
internal readonly struct Activations
{
    public Activations(ArrayView<float> f32, ArrayView<ushort> bf16, bool isBf16)
    {
        F32 = f32;
        Bf16Bits = bf16;
        IsBf16 = isBf16 ? 1 : 0;
    }

    public readonly ArrayView<float> F32;
    public readonly ArrayView<ushort> Bf16Bits;
    public readonly int IsBf16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Load(long i) => IsBf16 != 0 ? Bf16.ToFloat(Bf16Bits[i]) : F32[i];

    /// <summary>Stores <paramref name="value"/>, rounded to nearest even when the tensor is bf16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(long i, float value)
    {
        if (IsBf16 != 0) Bf16Bits[i] = Bf16.FromFloat(value);
        else F32[i] = value;
    }
}
