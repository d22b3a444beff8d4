namespace RobeGen.Tests.Cuda.TestModels;

/// <summary>
/// The ROBE-Z addressing of robe-spec.md written the slow obvious way, for the hand-made test models of the CUDA
/// tests (the generated hash is THE hash of the library; this is an independent restatement for tests). Usable in
/// ILGPU kernels: no allocation, only 64-bit integer math.
/// </summary>
internal static class ReferenceRobe
{
    public const ulong P = 2038074743, R1 = 634329019, R2 = 1825252241, R3 = 871205356;

    /// <summary>h(xg, c) = (xg R3 + c R2 + R1) mod P, with xg reduced mod P first (same value, no overflow).</summary>
    public static ulong Hash(ulong xg, ulong block) => ((xg % P) * R3 + block * R2 + R1) % P;

    /// <summary>A second hash for the test models' Signed variant (any +/-1 function of (xg, j) serves the tests).</summary>
    public static float Sign(ulong xg, int j) => (((xg % P) * R1 + (ulong)j * R3 + R2) % P & 1) == 0 ? 1f : -1f;

    /// <summary>Start of block c: h mod (m - Z + 1) (Authors, Signed), h mod m (Circular).</summary>
    public static long BlockStart(ulong xg, int block, long slots, int blockSize, bool circular) =>
        (long)(Hash(xg, (ulong)block) % (ulong)(circular ? slots : slots - blockSize + 1));
}
