using System.Runtime.CompilerServices;
using ILGPU;

namespace RobeGen.Cuda.Kernels;

/// <summary>
/// bfloat16 as raw bits (ILGPU 1.5 has no bfloat16 type): the top 16 bits of an IEEE float. Conversions round to
/// nearest even, as the tensor cores and PyTorch do; usable in kernels and on the host.
/// </summary>
internal static class Bf16
{
    /// <summary>The bf16 nearest to <paramref name="value"/> (ties to even); NaN stays a quiet NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromFloat(float value)
    {
        uint bits = Interop.FloatAsInt(value);
        if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (ushort)((bits >> 16) | 0x40u);
        bits += 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)(bits >> 16);
    }

    /// <summary>The float a bf16 holds (exact: every bf16 is a float).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat(ushort bits) => Interop.IntAsFloat((uint)bits << 16);

    /// <summary><paramref name="value"/> rounded through bf16 and back: what a bf16 tensor would store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Round(float value) => ToFloat(FromFloat(value));
}
