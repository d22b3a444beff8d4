namespace RobeGen.Generators.Emitting;

/// <summary>
/// <c>TableRows</c>: where a Full, Hashed or QuotientRemainder table's rows start in the flat parameter array. Like
/// <c>RobeHash</c>, the one place this arithmetic lives: the CPU loops and the ILGPU kernels both call it (each adds
/// only its own way of reporting a Full token out of range: an exception on the CPU, start -1 in a kernel).
/// Kernel-safe: integer arithmetic only.
/// </summary>
internal static class TableRowsEmitter
{
    public static void Write(CodeWriter w)
    {
        w.Line("/// <summary>Row addressing of the tables that are not in the ROBE array (both backends call it).</summary>");
        w.Open("public static class TableRows");
        w.Line("/// <summary>Start of row <paramref name=\"row\"/> of a table whose rows begin at <paramref name=\"tableBase\"/>.</summary>");
        w.Line(Names.Inline);
        w.Line("public static long Start(long tableBase, ulong row) => tableBase + (long)row * EmbeddingDim;");
        w.Line();
        w.Line("/// <summary>The row a token reads: itself in a Full table (the caller checks it is below the row count), token mod rows in a Hashed one.</summary>");
        w.Line(Names.Inline);
        w.Line("public static ulong FullOrHashedRow(bool full, ulong token, long rows) => full ? token : token % (ulong)rows;");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Start of the quotient row of a QuotientRemainder token: x div R with x = token mod (Q * R) (a raw id beyond the table's");
        w.Line("/// ids folds, as Hashed folds mod its rows); (token div R) mod Q is that number without forming Q * R. Quotient rows come first.");
        w.Line("/// </summary>");
        w.Line(Names.Inline);
        w.Line("public static long QuotientRowStart(ulong token, long quotientRows, long remainderRows, long tableBase) =>");
        w.Line("    Start(tableBase, token / (ulong)remainderRows % (ulong)quotientRows);");
        w.Line();
        w.Line("/// <summary>Start of the remainder row x mod R (= token mod R) of a QuotientRemainder token, after the table's Q quotient rows.</summary>");
        w.Line(Names.Inline);
        w.Line("public static long RemainderRowStart(ulong token, long quotientRows, long remainderRows, long tableBase) =>");
        w.Line("    Start(tableBase + quotientRows * EmbeddingDim, token % (ulong)remainderRows);");
        w.Close();
    }
}
