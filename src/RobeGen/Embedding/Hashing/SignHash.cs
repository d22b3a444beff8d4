using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace RobeGen;

/// <summary>
/// The Signed variant's sign hash g(xg, j) = bit 0 of ((xg mod P) * S3 + j * S2 + S1) mod P: <see cref="RobeHash"/>'s
/// family with independent multipliers, +1 when the bit is 0. S1, S2, S3 are the first three SplitMix64 outputs for
/// seed 0x5349474E ("SIGN"), each taken mod P (a test re-derives them). The Authors numbers never read these.
/// Kernel-safe, like <see cref="RobeHash"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SignHash
{
    /// <summary>The constant term of the sign hash.</summary>
    public const ulong S1 = 1594817190UL;
    /// <summary>The coordinate's multiplier in the sign hash.</summary>
    public const ulong S2 = 322734311UL;
    /// <summary>The global row id's multiplier in the sign hash.</summary>
    public const ulong S3 = 688036452UL;

    /// <summary>(xg * S3) mod P from key = xg mod P.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong RowTerm(ulong key) => RobeHash.ModP(key * S3);

    /// <summary>(j * S2 + S1) mod P; the generated loops fold it into a literal per coordinate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong CoordinateTerm(int coordinate) => RobeHash.ModP((ulong)(uint)coordinate * S2 + S1);

    /// <summary>The sign of a sign-hash value g: +1 when bit 0 is clear, else -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sign(ulong g) => (g & 1UL) == 0UL ? 1f : -1f;

    /// <summary>The sign of coordinate j of the row whose sign term is <paramref name="rowTerm"/> (<see cref="RowTerm"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SignFromRowTerm(ulong rowTerm, int coordinate) => Sign(RobeHash.AddMod(rowTerm, CoordinateTerm(coordinate)));

    /// <summary>The sign of coordinate j of the row with key = xg mod P.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SignOf(ulong key, int coordinate) => SignFromRowTerm(RowTerm(key), coordinate);
}
