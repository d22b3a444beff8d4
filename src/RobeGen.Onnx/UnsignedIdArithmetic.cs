namespace RobeGen.Onnx;

/// <summary>
/// RobeGen's ids are unsigned 64-bit; ONNX graphs carry them as int64 (the same bits: an id of 2^63 or more arrives
/// negative) and its Mod on integers takes the divisor's sign (a floor modulus, never negative here). These helpers
/// build the unsigned operations from that: for x &lt; 0 the unsigned value is x + 2^64, so its residue is
/// (x mod n + 2^64 mod n) mod n. Every intermediate stays below 2^63.
/// </summary>
internal static class UnsignedIdArithmetic
{
    /// <summary>2^64 mod <paramref name="n"/>.</summary>
    public static long TwoTo64Mod(ulong n) => (long)(((UInt128)1 << 64) % n);

    /// <summary>Unsigned x mod n for int64 ids <paramref name="ids"/> (any shape) and 0 &lt; n &lt; 2^63.</summary>
    public static string Mod(OnnxGraph g, string ids, long n, string hint)
    {
        Require(n > 0, "a modulus must be positive");
        string signed = g.Node("Mod", hint + "_mod", ids, g.Int64(n));
        string wraps = g.Node("Less", hint + "_negative", ids, g.Int64(0));
        string correction = g.Node("Where", hint + "_wrap", wraps, g.Int64(TwoTo64Mod((ulong)n)), g.Int64(0));
        return g.Node("Mod", hint, g.Node("Add", hint + "_sum", signed, correction), g.Int64(n));
    }

    /// <summary>
    /// RobeHash.KeyOf: (x + offset) mod 2^64 mod P for unsigned x and an offset below 2^63. With a = x mod P (floor):
    /// x &gt;= 0 gives (a + offset) mod P; x in [-offset, 0) wraps past 2^64 back to x + offset &gt;= 0, the same
    /// formula; x &lt; -offset is x + 2^64 + offset, which adds 2^64 mod P.
    /// </summary>
    public static string Key(OnnxGraph g, string ids, ulong offset, string hint)
    {
        Require(offset < 1UL << 63, "token offsets of 2^63 and more are not exported");
        long p = (long)RobeHash.P;
        string a = g.Node("Mod", hint + "_xmodp", ids, g.Int64(p));
        string belowOffset = g.Node("Less", hint + "_unsigned_high", ids, g.Int64(-(long)offset));
        string high = g.Node("Where", hint + "_high_term", belowOffset, g.Int64(TwoTo64Mod(RobeHash.P)), g.Int64(0));
        string sum = g.Node("Add", hint + "_keysum", g.Node("Add", hint + "_offset", a, g.Int64((long)(offset % RobeHash.P))), high);
        return g.Node("Mod", hint + "_key", sum, g.Int64(p));
    }

    /// <summary>
    /// Unsigned (x div r) mod q for 0 &lt; r, q &lt; 2^63. For x &gt;= 0 a truncating Div is the floor. For x &lt; 0,
    /// with 2^64 = qa * r + ra: (x + 2^64) div r = qa + floor((ra + x) / r), and floor(n / r) = (n - n mod r) / r exactly.
    /// </summary>
    public static string QuotientMod(OnnxGraph g, string ids, long r, long q, string hint)
    {
        Require(r > 0 && q > 0, "quotient and remainder row counts must be positive");
        UInt128 two64 = (UInt128)1 << 64;
        long qaModQ = (long)(two64 / (ulong)r % (ulong)q);
        long ra = (long)(two64 % (ulong)r);

        string nonNegative = g.Node("Max", hint + "_nonneg", ids, g.Int64(0));
        string positiveQuotient = g.Node("Mod", hint + "_pos_q", g.Node("Div", hint + "_pos_div", nonNegative, g.Int64(r)), g.Int64(q));

        string nonPositive = g.Node("Min", hint + "_nonpos", ids, g.Int64(0));
        string n = g.Node("Add", hint + "_n", nonPositive, g.Int64(ra));
        string floor = g.Node("Div", hint + "_floor", g.Node("Sub", hint + "_n_exact", n, g.Node("Mod", hint + "_n_mod", n, g.Int64(r))), g.Int64(r));
        string negativeQuotient = g.Node("Mod", hint + "_neg_q",
            g.Node("Add", hint + "_neg_sum", g.Node("Mod", hint + "_floor_mod", floor, g.Int64(q)), g.Int64(qaModQ)), g.Int64(q));

        string negative = g.Node("Less", hint + "_negative", ids, g.Int64(0));
        return g.Node("Where", hint, negative, negativeQuotient, positiveQuotient);
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new OnnxExportException(message);
    }
}
