using RobeGen.Generators.Model;
using RobeGen.Generators.Robe;
using static RobeGen.Generators.Emitting.CodeWriter;

namespace RobeGen.Generators.Emitting;

/// <summary>
/// The model's ROBE-Z hash: <c>RobeHash</c> (constants and the arithmetic shared by all tables) and
/// <c>TableHash.&lt;Table&gt;</c> (one class per table with its token offset folded). This is the only
/// implementation of the hash: the CPU loops and the ILGPU kernels both call it. Everything here is
/// ILGPU-compatible: constants, integer arithmetic and calls; no arrays, spans, exceptions or statics.
/// </summary>
internal static class HashEmitter
{
    public static void Write(CodeWriter w, DlrmModel model)
    {
        WriteRobeHash(w, model);
        w.Line();
        WriteTableHash(w, model);
    }

    private static void WriteRobeHash(CodeWriter w, DlrmModel model)
    {
        bool signed = model.Variant == RobeVariant.Signed;
        w.Line("/// <summary>");
        w.Line("/// The ROBE-Z hash (shared/robe-spec.md): h(xg, c) = (xg * R3 + c * R2 + R1) mod P, computed as");
        w.Line("/// ((xg mod P) * R3 mod P + K_c) mod P with K_c = (c * R2 + R1) mod P, which is the same number and keeps");
        w.Line("/// every product below 2^63 for any 64-bit xg. Variant " + model.Variant + ": " + VariantText(model.Variant));
        w.Line("/// </summary>");
        w.Open("public static class RobeHash");
        w.Line("/// <summary>The prime modulus of the authors' hash.</summary>");
        w.Line("public const ulong P = " + ULong(RobeConstants.P) + ";");
        w.Line("/// <summary>The constant term of h.</summary>");
        w.Line("public const ulong R1 = " + ULong(RobeConstants.R1) + ";");
        w.Line("/// <summary>The block index's multiplier in h.</summary>");
        w.Line("public const ulong R2 = " + ULong(RobeConstants.R2) + ";");
        w.Line("/// <summary>The global row id's multiplier in h.</summary>");
        w.Line("public const ulong R3 = " + ULong(RobeConstants.R3) + ";");
        if (signed)
        {
            w.Line("/// <summary>Sign hash g(xg, j) = bit 0 of ((xg mod P) * S3 + j * S2 + S1) mod P: h's family with independent");
            w.Line("/// multipliers (SplitMix64 seed 0x5349474E, mod P). +1 when the bit is 0.</summary>");
            w.Line("public const ulong S1 = " + ULong(RobeConstants.S1) + ";");
            w.Line("/// <summary>The coordinate's multiplier in the sign hash.</summary>");
            w.Line("public const ulong S2 = " + ULong(RobeConstants.S2) + ";");
            w.Line("/// <summary>The global row id's multiplier in the sign hash.</summary>");
            w.Line("public const ulong S3 = " + ULong(RobeConstants.S3) + ";");
        }
        w.Line();
        w.Line("/// <summary>(xg * R3) mod P from key = xg mod P (key &lt; 2^31 and R3 &lt; 2^30: the product stays below 2^61).</summary>");
        w.Line(Names.Inline);
        w.Line("public static ulong RowTerm(ulong key) => ModP(key * R3);");
        w.Line();
        w.Line("/// <summary>K_c = (c * R2 + R1) mod P; the unrolled loops of the declared Z use it as a literal per block.</summary>");
        w.Line(Names.Inline);
        w.Line("public static ulong BlockTerm(int block) => ModP((ulong)(uint)block * R2 + R1);");
        w.Line();
        w.Line("/// <summary>(a + b) mod P for a, b &lt; P.</summary>");
        w.Line(Names.Inline);
        w.Open("public static ulong AddMod(ulong a, ulong b)");
        w.Line("ulong sum = a + b;");
        w.Line("return sum >= P ? sum - P : sum;");
        w.Close();
        w.Line();
        w.Line("/// <summary>1 / P as a double: ModP's quotient estimate.</summary>");
        w.Line("public const double InverseP = " + Double(1.0 / RobeConstants.P) + ";");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// x mod P without a 64-bit integer division, which CUDA runs as a ~70-instruction subroutine: the quotient from a");
        w.Line("/// double-precision product (within 1 of floor(x / P): its relative error is a few 2^-53 and x / P &lt; 2^34), the");
        w.Line("/// remainder in wrapping arithmetic (its true value lies in [-P, 2P)) and one correction. The same number as x % P for");
        w.Line("/// every x (tested against % on edge and random values); every reduction of the hash goes through it, on both backends.");
        w.Line("/// </summary>");
        w.Line(Names.Inline);
        w.Open("public static ulong ModP(ulong x)");
        w.Line("ulong q = (ulong)((double)x * InverseP);");
        w.Line("long r = unchecked((long)(x - q * P));");
        w.Line("if (r < 0) r += (long)P;");
        w.Line("else if (r >= (long)P) r -= (long)P;");
        w.Line("return (ulong)r;");
        w.Close();
        w.Line();
        w.Line("/// <summary>h(xg, block) from key = xg mod P.</summary>");
        w.Line(Names.Inline);
        w.Line("public static ulong Hash(ulong key, int block) => HashFromRowTerm(RowTerm(key), block);");
        w.Line();
        w.Line("/// <summary>h(xg, block) from the row's term RowTerm(key), which a caller hashing several blocks of one row computes once.</summary>");
        w.Line(Names.Inline);
        w.Line("public static ulong HashFromRowTerm(ulong rowTerm, int block) => AddMod(rowTerm, BlockTerm(block));");
        w.Line();
        w.Line("/// <summary>xg mod P with xg = token + offset (wrapping): the key every term of the hash starts from.</summary>");
        w.Line(Names.Inline);
        w.Line("public static ulong KeyOf(ulong token, ulong tokenOffset) => ModP(unchecked(token + tokenOffset));");
        w.Line();
        w.Line("/// <summary>h mod range, the block's start slot (range = m - Z + 1, or m for Circular). h &lt; P &lt; 2^31, so when");
        w.Line("/// h &gt;= range the range fits in 32 bits and a 32-bit division gives the same number.</summary>");
        w.Line(Names.Inline);
        w.Line("public static long StartOf(ulong h, long range) => h < (ulong)range ? (long)h : (long)((uint)h % (uint)range);");
        if (model.Variant == RobeVariant.Circular)
        {
            w.Line();
            w.Line("/// <summary>Slot start + k of a block wrapped into [0, m) (start &lt; m and k &lt; Z &lt;= m).</summary>");
            w.Line(Names.Inline);
            w.Line("public static long Wrap(long slot, long slots) => slot >= slots ? slot - slots : slot;");
        }
        if (signed)
        {
            w.Line();
            w.Line("/// <summary>(xg * S3) mod P from key = xg mod P.</summary>");
            w.Line(Names.Inline);
            w.Line("public static ulong SignRowTerm(ulong key) => ModP(key * S3);");
            w.Line();
            w.Line("/// <summary>(j * S2 + S1) mod P; the unrolled loops use it as a literal per coordinate.</summary>");
            w.Line(Names.Inline);
            w.Line("public static ulong SignTerm(int coordinate) => ModP((ulong)(uint)coordinate * S2 + S1);");
            w.Line();
            w.Line("/// <summary>The sign of a sign-hash value g: +1 when bit 0 is clear, else -1.</summary>");
            w.Line(Names.Inline);
            w.Line("public static float Sign(ulong g) => (g & 1UL) == 0UL ? 1f : -1f;");
            w.Line();
            w.Line("/// <summary>The sign of coordinate j of the row with key = xg mod P.</summary>");
            w.Line(Names.Inline);
            w.Line("public static float SignOf(ulong key, int coordinate) => Sign(AddMod(SignRowTerm(key), SignTerm(coordinate)));");
        }
        w.Line();
        w.Line("/// <summary>The key xg mod P of <paramref name=\"token\"/> in table <paramref name=\"table\"/> (a run-time table index).</summary>");
        w.Line(Names.Inline);
        w.Line("public static ulong Key(int table, ulong token) => KeyOf(token, TokenOffset(table));");
        w.Line();
        w.Line("/// <summary>TableHash.&lt;table&gt;.TokenOffset of a run-time table index: one constant case per table.</summary>");
        w.Open("public static ulong TokenOffset(int table)");
        w.Open("switch (table)");
        foreach (TableModel table in model.Tables)
            w.Line("case " + Int(table.Index) + ": return TableHash." + Identifier(table.Name) + ".TokenOffset;");
        w.Line("default: return 0UL;");
        w.Close();
        w.Close();
        w.Close();
    }

    private static void WriteTableHash(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>The hash of each table with its token offset folded: xg = token + TokenOffset (wrapping).</summary>");
        w.Open("public static class TableHash");
        bool first = true;
        foreach (TableModel table in model.Tables)
        {
            if (!first) w.Line();
            first = false;
            w.Line("/// <summary>Table " + Int(table.Index) + ", " + table.Name + ".</summary>");
            w.Open("public static class " + Identifier(table.Name));
            w.Line("/// <summary>Added to a token to form the global row id xg.</summary>");
            w.Line("public const ulong TokenOffset = " + Hex(table.TokenOffset) + ";");
            w.Line();
            w.Line("/// <summary>xg mod P.</summary>");
            w.Line(Names.Inline);
            w.Line("public static ulong Key(ulong token) => RobeHash.KeyOf(token, TokenOffset);");
            w.Line();
            w.Line("/// <summary>h(xg, block).</summary>");
            w.Line(Names.Inline);
            w.Line("public static ulong Hash(ulong token, int block) => RobeHash.Hash(Key(token), block);");
            if (model.Variant == RobeVariant.Signed)
            {
                w.Line();
                w.Line("/// <summary>The sign g(xg, j) of coordinate j.</summary>");
                w.Line(Names.Inline);
                w.Line("public static float Sign(ulong token, int coordinate) => RobeHash.SignOf(Key(token), coordinate);");
            }
            w.Close();
        }
        w.Close();
    }

    private static string VariantText(RobeVariant variant) => variant switch
    {
        RobeVariant.Circular => "start = h mod m, slot = (start + j mod Z) mod m.",
        RobeVariant.Signed => "the authors' addressing, each coordinate times a +/-1 sign g(xg, j).",
        _ => "start = h mod (m - Z + 1), slot = start + j mod Z (the authors' formula, bit for bit).",
    };
}
