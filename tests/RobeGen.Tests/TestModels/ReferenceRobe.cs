namespace RobeGen.Tests.TestModels;

/// <summary>
/// The ROBE-Z formula of shared/robe-spec.md written the slow, obvious way (128-bit arithmetic, no folding), as an
/// independent reference for tests. Not the project's hash: that one is generated.
/// </summary>
internal static class ReferenceRobe
{
    public const ulong P = 2038074743, R1 = 634329019, R2 = 1825252241, R3 = 871205356;

    /// <summary>h(xg, c) = (xg R3 + c R2 + R1) mod P.</summary>
    public static ulong Hash(ulong xg, int block) =>
        (ulong)(((UInt128)xg * R3 + (UInt128)(ulong)block * R2 + R1) % P);

    /// <summary>The slot coordinate j of global row xg reads in an array of m slots with block size z.</summary>
    public static long Slot(ulong xg, int j, long m, int z, RobeVariant variant)
    {
        ulong h = Hash(xg, j / z);
        return variant == RobeVariant.Circular
            ? (long)((h % (ulong)m + (ulong)(j % z)) % (ulong)m)
            : (long)(h % (ulong)(m - z + 1)) + j % z;
    }

    /// <summary>Test-only sign of the Signed variant (the generator picks its own hash; the backend never looks at it).</summary>
    public static float Sign(ulong xg, int j) =>
        (((UInt128)xg * 1_000_003UL + (UInt128)(ulong)j * 998_244_353UL + 12_345UL) % P & 1) == 0 ? 1f : -1f;
}
