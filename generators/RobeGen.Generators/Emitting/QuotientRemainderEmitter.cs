using static RobeGen.Generators.Emitting.CodeWriter;

namespace RobeGen.Generators.Emitting;

/// <summary>
/// The QuotientRemainder helpers of the generated CPU loops (Shi et al. 2020's compositional embedding with the
/// element-wise product): id x = token mod (Q * R) reads quotient row x div R and remainder row x mod R of the table,
/// E[j] = Q[x div R][j] * Rm[x mod R][j]. The gather records both rows' starts (record 0: quotient, record 1:
/// remainder); the backward is the product rule, so the scatter reads the weights the gather read.
/// Kept apart from the ROBE/Full/Hashed loops, which need only a dispatch line each.
/// </summary>
internal static class QuotientRemainderEmitter
{
    public const string Storage = Names.EmbeddingStorage + ".QuotientRemainder";

    /// <summary>
    /// The ILGPU helpers: a QuotientRemainder token's two row starts, with the CPU loops' arithmetic (the kernels'
    /// QuotientRemainder branches, in GpuKernelEmitter, move the coordinates with their lanes like a Full row's).
    /// Kernel-safe: no spans, tuples or exceptions.
    /// </summary>
    public static void WriteGpuHelpers(CodeWriter w)
    {
        w.Line("/// <summary>Start of the quotient row (token div R) mod Q of a QuotientRemainder table (x = token mod (Q * R), as the CPU loops).</summary>");
        w.Line("private static long QuotientRowStart(ulong token, long quotientRows, long remainderRows, long tableBase) =>");
        w.Line("    tableBase + (long)(token / (ulong)remainderRows % (ulong)quotientRows) * EmbeddingDim;");
        w.Line();
        w.Line("/// <summary>Start of the remainder row token mod R, after the table's Q quotient rows.</summary>");
        w.Line("private static long RemainderRowStart(ulong token, long quotientRows, long remainderRows, long tableBase) =>");
        w.Line("    tableBase + (quotientRows + (long)(token % (ulong)remainderRows)) * EmbeddingDim;");
    }

    /// <summary>The CPU helpers: row starts, gather, scatter.</summary>
    public static void WriteCpuHelpers(CodeWriter w)
    {
        w.Line("/// <summary>");
        w.Line("/// Starts of the quotient row (x div R) and remainder row (x mod R) that a QuotientRemainder token reads, x = token mod (Q * R)");
        w.Line("/// (a raw id beyond the table's ids folds, as Hashed folds mod its rows). (token div R) mod Q equals x div R and token mod R");
        w.Line("/// equals x mod R, so Q * R is never formed. The quotient rows start at the table base, the remainder rows Q * d after it.");
        w.Line("/// </summary>");
        w.Line(Names.Inline);
        w.Open("private static (long Quotient, long Remainder) QuotientRemainderStarts(ulong token, long quotientRows, long remainderRows, long tableBase)");
        w.Line("ulong quotient = token / (ulong)remainderRows % (ulong)quotientRows;");
        w.Line("ulong remainder = token % (ulong)remainderRows;");
        w.Line("return (tableBase + (long)quotient * EmbeddingDim, tableBase + (quotientRows + (long)remainder) * EmbeddingDim);");
        w.Close();
        w.Line();
        w.Line("/// <summary>A QuotientRemainder embedding: the element-wise product of its two rows; records 0 and 1 get their starts.</summary>");
        w.Open("private static void GatherQuotientRemainder(ulong token, long quotientRows, long remainderRows, long tableBase, " +
            Names.ReadOnlySpan + "<float> weights, " + Names.Span + "<long> starts, " + Names.Span + "<float> embedding)");
        w.Line("var (quotient, remainder) = QuotientRemainderStarts(token, quotientRows, remainderRows, tableBase);");
        w.Line("starts[0] = quotient;");
        w.Line("starts[1] = remainder;");
        w.Line(Names.TensorPrimitives + ".Multiply(weights.Slice(checked((int)quotient), EmbeddingDim), weights.Slice(checked((int)remainder), EmbeddingDim), embedding);");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The product rule at the recorded rows: dL/dQ[q][j] += g[j] * Rm[r][j] and dL/dRm[r][j] += g[j] * Q[q][j], with the weights");
        w.Line("/// the gather read (a plain multiply then add, no fused multiply-add, so the GPU's deterministic path can match it).");
        w.Line("/// </summary>");
        w.Open("private static void ScatterQuotientRemainder(" + Names.ReadOnlySpan + "<long> starts, " + Names.ReadOnlySpan + "<float> gradient, " +
            Names.ReadOnlySpan + "<float> weights, " + Names.Span + "<float> gradWeights)");
        w.Line("int quotientStart = checked((int)starts[0]), remainderStart = checked((int)starts[1]);");
        w.Line(Names.ReadOnlySpan + "<float> quotient = weights.Slice(quotientStart, EmbeddingDim);");
        w.Line(Names.ReadOnlySpan + "<float> remainder = weights.Slice(remainderStart, EmbeddingDim);");
        w.Line(Names.Span + "<float> gradQuotient = gradWeights.Slice(quotientStart, EmbeddingDim);");
        w.Line(Names.Span + "<float> gradRemainder = gradWeights.Slice(remainderStart, EmbeddingDim);");
        w.Open("for (int j = 0; j < EmbeddingDim; j++)");
        w.Line("gradQuotient[j] += gradient[j] * remainder[j];");
        w.Line("gradRemainder[j] += gradient[j] * quotient[j];");
        w.Close();
        w.Close();
    }
}
