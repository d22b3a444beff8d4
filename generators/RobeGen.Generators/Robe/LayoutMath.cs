using RobeGen.Generators.Model;

namespace RobeGen.Generators.Robe;

/// <summary>
/// Sizes of the declared layout, computed at compile time for the generated constants. They follow
/// ModelDeclaration.MlpParameterCount and EmbeddingLayout.FromDeclaration of the runtime; a test checks that the
/// constants equal the runtime's numbers.
/// </summary>
internal static class LayoutMath
{
    public static bool AnyRobe(DlrmModel model)
    {
        foreach (TableModel table in model.Tables)
        {
            if (table.Storage == TableStorage.Robe) return true;
        }
        return false;
    }

    public static long FullTableParameters(DlrmModel model)
    {
        long cardinalities = 0;
        foreach (TableModel table in model.Tables) cardinalities += table.Cardinality;
        return cardinalities * model.EmbeddingDim;
    }

    /// <summary>Quotient rows Q = ceil(n / R) of a QuotientRemainder table (the rules guarantee 1 &lt;= R &lt;= n).</summary>
    public static long QuotientRows(TableModel table) => (table.Cardinality + table.Rows - 1) / table.Rows;

    /// <summary>Floats of the declared flat embedding array: the ROBE array, then one d-wide row per Full/Hashed row
    /// (a QuotientRemainder table: Q quotient rows plus R remainder rows).</summary>
    public static long EmbeddingParameters(DlrmModel model)
    {
        long total = AnyRobe(model) ? model.RobeSlots : 0;
        foreach (TableModel table in model.Tables)
        {
            long rows = table.Storage switch
            {
                TableStorage.Full => table.Cardinality,
                TableStorage.Hashed => table.Rows,
                TableStorage.QuotientRemainder => QuotientRows(table) + table.Rows,
                _ => 0,
            };
            total += rows * model.EmbeddingDim;
        }
        return total;
    }

    public static long MlpParameters(DlrmModel model)
    {
        long count = 0;
        long fanIn = model.DenseFeatures;
        foreach (int width in model.BottomMlp) { count += fanIn * width + width; fanIn = width; }
        fanIn = model.TopInputWidth;
        foreach (int width in model.TopMlp) { count += fanIn * width + width; fanIn = width; }
        return count + fanIn + 1 + model.CrossParameters;
    }

    public static long Parameters(DlrmModel model) => EmbeddingParameters(model) + MlpParameters(model);

    public static double CompressionRatio(DlrmModel model)
    {
        long embedding = EmbeddingParameters(model);
        return embedding == 0 ? 0 : (double)FullTableParameters(model) / embedding;
    }
}
