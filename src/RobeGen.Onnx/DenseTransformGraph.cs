using Onnx;
using RobeGen.Data;

namespace RobeGen.Onnx;

/// <summary>
/// The declared transform of every dense column, as the data readers apply it before the bottom MLP: Log1p is
/// log(1 + x) for x &gt; 0 and 0 otherwise; Standardize is (x - mean) / std with the training data's statistics saved
/// in the checkpoint; None is x itself. A missing value (NaN in the graph's input) becomes 0 under every transform,
/// as the readers make it.
/// </summary>
internal static class DenseTransformGraph
{
    public static string Build(OnnxGraph g, ModelDeclaration declaration, DenseStatistics statistics, string raw)
    {
        DenseColumn[] columns = [.. declaration.DenseColumns];
        if (columns.All(c => c.Transform == DenseTransform.Log1p)) return Log1p(g, raw);

        string present = g.Node("Not", "dense_present", g.Node("IsNaN", "dense_missing", raw));
        string plain = g.Node("Where", "dense_plain", present, raw, g.Float(0f));
        string transformed = plain;
        if (columns.Any(c => c.Transform == DenseTransform.Standardize))
        {
            // (x - mean) * (1 / std) per column; the columns not standardized get mean 0 and scale 1 and are not selected.
            var means = new float[columns.Length];
            var scales = new float[columns.Length];
            for (int i = 0; i < columns.Length; i++)
            {
                scales[i] = 1f;
                if (columns[i].Transform != DenseTransform.Standardize) continue;
                if (!statistics.Contains(columns[i].Name))
                    throw new OnnxExportException(
                        $"{declaration.Name}: dense column {columns[i].Name} is standardized, but no statistics were given; export the checkpoint the model was saved in (it holds them).");
                (double mean, double std) = statistics[columns[i].Name];
                (means[i], scales[i]) = ((float)mean, (float)(1 / std));
            }
            string centered = g.Node("Sub", "dense_centered", plain, g.Floats("dense_means", means, columns.Length));
            string standardized = g.Node("Mul", "dense_standardized", centered, g.Floats("dense_scales", scales, columns.Length));
            transformed = g.Node("Where", "dense_standardized_or_plain", Mask(g, columns, DenseTransform.Standardize),
                g.Node("Where", "dense_standardized_present", present, standardized, g.Float(0f)), transformed);
        }
        if (columns.Any(c => c.Transform == DenseTransform.Log1p))
            transformed = g.Node("Where", "dense_log1p_or_other", Mask(g, columns, DenseTransform.Log1p), Log1p(g, raw), transformed);
        return transformed;
    }

    /// <summary>log(1 + x) where x &gt; 0, else 0 (a NaN compares false: 0): the formula of the Criteo readers.</summary>
    private static string Log1p(OnnxGraph g, string raw)
    {
        string positive = g.Node("Greater", "dense_positive", raw, g.Float(0f));
        string safe = g.Node("Where", "dense_safe", positive, raw, g.Float(0f));
        string log = g.Node("Log", "dense_log1p", g.Node("Add", "dense_plus_one", safe, g.Float(1f)));
        return g.Node("Where", "dense_transformed", positive, log, g.Float(0f));
    }

    /// <summary>A bool [columns] constant: true where the column's transform is <paramref name="transform"/>.</summary>
    private static string Mask(OnnxGraph g, DenseColumn[] columns, DenseTransform transform)
    {
        float[] ones = columns.Select(c => c.Transform == transform ? 1f : 0f).ToArray();
        string name = "dense_is_" + transform.ToString().ToLowerInvariant();
        return g.Node("Cast", name, [g.Floats(name + "_values", ones, columns.Length)],
            n => n.Attribute.Add(OnnxGraph.Int("to", (long)TensorProto.Types.DataType.Bool)));
    }
}
