namespace RobeGen.Generators.Robe;

/// <summary>
/// The constants of the ROBE-Z hash (docs/model-math.md), for the literals the generator folds (K_c per block, the sign
/// terms per coordinate). The same numbers as the runtime's RobeHash and SignHash (the generator cannot reference the
/// runtime): the tests compare the declared loops, which use these literals, with the golden values, the slow reference
/// and the generic loops, which use the runtime's constants.
/// </summary>
internal static class RobeConstants
{
    // The authors' constants: numpy RandomState(1024), first draws below P.
    public const ulong P = 2038074743UL;
    public const ulong R1 = 634329019UL;
    public const ulong R2 = 1825252241UL;
    public const ulong R3 = 871205356UL;

    // The Signed variant's sign hash g(xg, j) = bit 0 of ((xg mod P) * S3 + j * S2 + S1) mod P: the same family as
    // h with independent multipliers. S1, S2, S3 are the first three SplitMix64 outputs for seed 0x5349474E ("SIGN"),
    // each taken mod P (a test re-derives them). The Authors numbers never read these.
    public const ulong S1 = 1594817190UL;
    public const ulong S2 = 322734311UL;
    public const ulong S3 = 688036452UL;

    /// <summary>K_c = (c * R2 + R1) mod P: the block's term of h, emitted as a literal per block of the declared Z.</summary>
    public static ulong BlockTerm(int block) => ((ulong)block * R2 + R1) % P;

    /// <summary>(j * S2 + S1) mod P: the coordinate's term of the sign hash.</summary>
    public static ulong SignTerm(int coordinate) => ((ulong)coordinate * S2 + S1) % P;
}
