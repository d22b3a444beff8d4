using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace RobeGen;

/// <summary>
/// Where a Full, Hashed or QuotientRemainder table's rows start in the flat embedding array (docs/model-math.md).
/// The one place this arithmetic lives: the generated CPU loops and ILGPU kernels and the generic paths call it.
/// Kernel-safe: integer arithmetic only; a Full token out of range gives -1 (a kernel reads zeros for it, the CPU
/// loops throw).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TableRows
{
    /// <summary>Start of row <paramref name="row"/> of a table of d-wide rows beginning at <paramref name="tableBase"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Start(long tableBase, ulong row, int dim) => tableBase + (long)row * dim;

    /// <summary>A Full table's row: the token itself, which must be below the row count; -1 when it is not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long FullRowStart(ulong token, long rows, long tableBase, int dim) =>
        token < (ulong)rows ? Start(tableBase, token, dim) : -1L;

    /// <summary>A Hashed table's row: token mod rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long HashedRowStart(ulong token, long rows, long tableBase, int dim) => Start(tableBase, token % (ulong)rows, dim);

    /// <summary>
    /// Start of the quotient row of a QuotientRemainder token: x div R with x = token mod (Q * R) (a raw id beyond the
    /// table's ids folds, as Hashed folds mod its rows); (token div R) mod Q is that number without forming Q * R.
    /// Quotient rows come first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long QuotientRowStart(ulong token, long quotientRows, long remainderRows, long tableBase, int dim) =>
        Start(tableBase, token / (ulong)remainderRows % (ulong)quotientRows, dim);

    /// <summary>Start of the remainder row x mod R (= token mod R) of a QuotientRemainder token, after the table's Q quotient rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long RemainderRowStart(ulong token, long quotientRows, long remainderRows, long tableBase, int dim) =>
        Start(tableBase + quotientRows * dim, token % (ulong)remainderRows, dim);
}
