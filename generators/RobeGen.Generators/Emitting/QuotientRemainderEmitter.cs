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

    /// <summary>The CPU helpers: row starts, gather, scatter.</summary>
    public static void WriteCpuHelpers(CodeWriter w)
    {
        w.Line("/// <summary>Starts of the quotient and remainder rows that a QuotientRemainder token reads (TableRows).</summary>");
        w.Line(Names.Inline);
        w.Line("private static (long Quotient, long Remainder) QuotientRemainderStarts(ulong token, long quotientRows, long remainderRows, long tableBase) =>");
        w.Line("    (TableRows.QuotientRowStart(token, quotientRows, remainderRows, tableBase), TableRows.RemainderRowStart(token, quotientRows, remainderRows, tableBase));");
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
