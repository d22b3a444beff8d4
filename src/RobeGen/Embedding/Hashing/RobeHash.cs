using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace RobeGen;

/// <summary>
/// The ROBE-Z hash of docs/model-math.md, the one implementation in the product: the generated CPU loops and ILGPU
/// kernels, and the generic run-time paths, all call it. h(xg, c) = (xg * R3 + c * R2 + R1) mod P is computed as
/// ((xg mod P) * R3 mod P + K_c) mod P with K_c = (c * R2 + R1) mod P: the same number, and every product stays below
/// 2^63 for any 64-bit xg. Kernel-safe (ILGPU inlines it): constants, integer arithmetic and calls only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RobeHash
{
    /// <summary>The prime modulus of the authors' hash.</summary>
    public const ulong P = 2038074743UL;
    /// <summary>The constant term of h.</summary>
    public const ulong R1 = 634329019UL;
    /// <summary>The block index's multiplier in h.</summary>
    public const ulong R2 = 1825252241UL;
    /// <summary>The global row id's multiplier in h.</summary>
    public const ulong R3 = 871205356UL;
    /// <summary>1 / P as a double: <see cref="ModP"/>'s quotient estimate.</summary>
    public const double InverseP = 1.0 / P;

    /// <summary>
    /// x mod P without a 64-bit integer division, which CUDA runs as a ~70-instruction subroutine: the quotient from a
    /// double-precision product (within 1 of floor(x / P): its relative error is a few 2^-53 and x / P &lt; 2^34), the
    /// remainder in wrapping arithmetic (its true value lies in [-P, 2P)) and one correction. The same number as x % P
    /// for every x (tested against % on edge and random values); every reduction of the hash goes through it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ModP(ulong x)
    {
        ulong q = (ulong)((double)x * InverseP);
        long r = unchecked((long)(x - q * P));
        if (r < 0) r += (long)P;
        else if (r >= (long)P) r -= (long)P;
        return (ulong)r;
    }

    /// <summary>(a + b) mod P for a, b &lt; P.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AddMod(ulong a, ulong b)
    {
        ulong sum = a + b;
        return sum >= P ? sum - P : sum;
    }

    /// <summary>xg mod P with xg = token + offset (wrapping): the key every term of the hash starts from.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong KeyOf(ulong token, ulong tokenOffset) => ModP(unchecked(token + tokenOffset));

    /// <summary>(xg * R3) mod P from key = xg mod P (key &lt; 2^31 and R3 &lt; 2^30: the product stays below 2^61).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong RowTerm(ulong key) => ModP(key * R3);

    /// <summary>K_c = (c * R2 + R1) mod P; the generated loops of the declared Z fold it into a literal per block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong BlockTerm(int block) => ModP((ulong)(uint)block * R2 + R1);

    /// <summary>h(xg, block) from the row's term <see cref="RowTerm"/>, which a caller hashing several blocks of one row computes once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HashFromRowTerm(ulong rowTerm, int block) => AddMod(rowTerm, BlockTerm(block));

    /// <summary>h(xg, block) from key = xg mod P.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ulong key, int block) => HashFromRowTerm(RowTerm(key), block);

    /// <summary>
    /// The modulus of a block's start: m - Z + 1 (the authors' blocks never wrap), or m for Circular (blocks wrap
    /// around the array's end).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long StartRange(long slots, int blockSize, bool circular) => circular ? slots : slots - blockSize + 1;

    /// <summary>h mod range, a block's start slot. h &lt; P &lt; 2^31, so when h &gt;= range the range fits in 32 bits
    /// and a 32-bit division gives the same number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long StartOf(ulong h, long range) => h < (ulong)range ? (long)h : (long)((uint)h % (uint)range);

    /// <summary>Start slot of block <paramref name="block"/> of the row whose term is <paramref name="rowTerm"/>, as an
    /// int (a start is below P &lt; 2^31): what the kernels index with.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BlockStart(ulong rowTerm, int block, long range) => (int)StartOf(HashFromRowTerm(rowTerm, block), range);

    /// <summary>Circular: slot start + k of a block wrapped into [0, m) (start &lt; m and k &lt; Z &lt;= m).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Wrap(long slot, long slots) => slot >= slots ? slot - slots : slot;
}
