using Google.Protobuf;
using Onnx;

namespace RobeGen.Onnx;

/// <summary>
/// Pools a multi-hot table's per-id embeddings into one vector per row, as the CPU bag gather does
/// (docs/model-math.md, "Multi-hot tables"): the ids arrive jagged, all rows' ids in one flat [ids] tensor and each
/// row's count in [batch] lengths; row r's ids are the lengths[r] after those of rows 0..r-1. Sum adds a row's
/// embeddings in id order; Mean divides that by max(length, 1), so an empty bag gives zeros either way.
/// </summary>
internal static class BagPoolingGraph
{
    /// <summary>The pooled [batch, d] embedding of <paramref name="embeddings"/> [ids, d], the lookups of
    /// <paramref name="values"/> [ids], grouped by <paramref name="lengths"/> [batch].</summary>
    public static string Pool(OnnxGraph g, string values, string embeddings, string lengths, Pooling pooling, int dim, string hint)
    {
        if (pooling is not (Pooling.Sum or Pooling.Mean)) throw new OnnxExportException($"Table {hint}: pooling {pooling} has no ONNX export.");
        string batch = g.Node("Shape", hint + "_batch", lengths);
        string rows = RowOfEachId(g, values, lengths, batch, hint);
        // ScatterND (opset 16+) with reduction "add" into zeros [batch, d]: update i adds embedding row i at row rows[i];
        // ONNX Runtime applies the updates in order, as the CPU loop adds a bag's ids.
        string shape = g.Node("Concat", hint + "_pooled_shape", [batch, g.Int64s([dim])], n => n.Attribute.Add(OnnxGraph.Int("axis", 0)));
        string zeros = g.Node("ConstantOfShape", hint + "_pooled_zeros", [shape], n => n.Attribute.Add(Filled(TensorProto.Types.DataType.Float, 0)));
        string sum = g.Node("ScatterND", hint + "_bag_sum", [zeros, Column(g, rows, hint + "_id_rows"), embeddings], n => n.Attribute.Add(AddReduction()));
        if (pooling == Pooling.Sum) return sum;
        string counts = g.Node("Cast", hint + "_bag_count", [g.Node("Max", hint + "_bag_count_at_least_1", lengths, g.Int64(1))],
            n => n.Attribute.Add(OnnxGraph.Int("to", (long)TensorProto.Types.DataType.Float)));
        return g.Node("Div", hint + "_bag_mean", sum, Column(g, counts, hint + "_bag_count_col"));
    }

    /// <summary>
    /// The row of each id [ids] from the lengths, without an [ids, batch] comparison: a 1 is added at each row's first id
    /// position (the exclusive prefix sum of the lengths) in an [ids + 1] vector, so the running sum at position i counts
    /// the rows that start at or before i, and minus 1 it is i's row. An empty row adds its 1 where the next row starts,
    /// which skips it; empty rows at the end add theirs at position ids, which the slice drops.
    /// </summary>
    private static string RowOfEachId(OnnxGraph g, string values, string lengths, string batch, string hint)
    {
        string ends = g.Node("CumSum", hint + "_bag_ends", lengths, g.Int64(0));
        string starts = g.Node("Sub", hint + "_bag_starts", ends, lengths);
        string idCount = g.Node("Shape", hint + "_id_count", values);
        string marksShape = g.Node("Add", hint + "_marks_shape", idCount, g.Int64s([1]));
        string zeros = g.Node("ConstantOfShape", hint + "_marks_zeros", [marksShape], n => n.Attribute.Add(Filled(TensorProto.Types.DataType.Int64, 0)));
        string ones = g.Node("ConstantOfShape", hint + "_row_ones", [batch], n => n.Attribute.Add(Filled(TensorProto.Types.DataType.Int64, 1)));
        string marks = g.Node("ScatterND", hint + "_row_marks", [zeros, Column(g, starts, hint + "_starts_col"), ones], n => n.Attribute.Add(AddReduction()));
        string running = g.Node("CumSum", hint + "_rows_started", marks, g.Int64(0));
        string perId = g.Node("Slice", hint + "_rows_started_per_id", running, g.Int64s([0]), idCount);
        return g.Node("Sub", hint + "_id_row", perId, g.Int64(1));
    }

    /// <summary>[n] as [n, 1]: ScatterND's indices (one row index per update) or a per-row divisor.</summary>
    private static string Column(OnnxGraph g, string vector, string hint) => g.Node("Unsqueeze", hint, vector, g.Int64s([1]));

    private static AttributeProto AddReduction() =>
        new() { Name = "reduction", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("add") };

    /// <summary>ConstantOfShape's value: a one-element tensor of <paramref name="type"/> (its default is a float zero).</summary>
    private static AttributeProto Filled(TensorProto.Types.DataType type, long value)
    {
        var tensor = new TensorProto { DataType = (int)type };
        tensor.Dims.Add(1);
        if (type == TensorProto.Types.DataType.Float) tensor.FloatData.Add(value);
        else tensor.Int64Data.Add(value);
        return new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor };
    }
}
