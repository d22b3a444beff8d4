using Onnx;
using RobeGen.Data;

namespace RobeGen.Onnx;

/// <summary>
/// Each table's graph inputs and its [batch, d] embedding. A single-hot table takes one int64 [batch] input named as
/// the table. A multi-hot table takes its bags jagged (TorchRec's KeyedJaggedTensor layout, one key):
/// <see cref="OnnxExporter.BagValues"/> int64 [ids], every row's ids one row after the other, and
/// <see cref="OnnxExporter.BagLengths"/> int64 [batch], each row's count (0 for an empty bag). Both kinds go through the
/// same vocabulary map and <see cref="EmbeddingLookups"/>, one lookup per id; a bag's lookups are then pooled
/// (<see cref="BagPoolingGraph"/>).
/// </summary>
internal static class TableInputsGraph
{
    /// <summary>Declares every table's inputs (all of them before any node, so that no node's name can take an input's).</summary>
    public static void Declare(OnnxGraph g, ModelDeclaration declaration, IReadOnlySet<int> mapped)
    {
        foreach (EmbeddingTable table in declaration.Tables)
        {
            bool viaVocabulary = mapped.Contains(table.Index);
            if (!table.IsMultiHot)
            {
                Input(g, table, table.Name, IdDoc(table, viaVocabulary));
                continue;
            }
            string valuesDim = OnnxExporter.BagValues(table);
            Input(g, table, OnnxExporter.BagValues(table),
                $"Multi-hot table {table.Name} (data column {table.ColumnName}, {table.Pooling}-pooled): the ids of every row's bag, row after row; " +
                $"{OnnxExporter.BagLengths(table)} says how many belong to each row. Each id as for a single-hot table: " + IdDoc(table, viaVocabulary),
                valuesDim);
            Input(g, table, OnnxExporter.BagLengths(table),
                $"Multi-hot table {table.Name}: the number of ids of each row's bag in {OnnxExporter.BagValues(table)} (0 for an empty bag, which gives zeros); " +
                "the lengths sum to its size.");
        }
    }

    /// <summary>The [batch, d] embedding of every table, in declaration order (the inputs <see cref="Declare"/>d).</summary>
    public static List<string> Embeddings(OnnxGraph g, EmbeddingLayout layout, EmbeddingLookups lookups, IReadOnlySet<int> mapped, Vocabulary? vocabulary)
    {
        var embeddings = new List<string>(layout.TableCount);
        foreach (EmbeddingTable table in layout.Declaration.Tables)
        {
            string raw = table.IsMultiHot ? OnnxExporter.BagValues(table) : table.Name;
            string ids = mapped.Contains(table.Index) ? VocabularyIndex(g, table, raw, vocabulary!) : raw;
            string perId = lookups.Lookup(table.Index, ids);
            embeddings.Add(table.IsMultiHot
                ? BagPoolingGraph.Pool(g, raw, perId, OnnxExporter.BagLengths(table), table.Pooling, layout.Dim, table.Name)
                : perId);
        }
        return embeddings;
    }

    private static void Input(OnnxGraph g, EmbeddingTable table, string name, string doc, string? dim = null)
    {
        if (g.Has(name))
            throw new OnnxExportException($"Table {table.Name}'s ONNX input {name} is already the name of another input; rename the table.");
        if (dim is null) g.Input(name, TensorProto.Types.DataType.Int64, doc);
        else g.VectorInput(name, TensorProto.Types.DataType.Int64, doc, dim);
    }

    /// <summary>
    /// The vocabulary index of each id (0 for ids the vocabulary does not hold: missing, rare or unseen), as the data
    /// readers' <see cref="VocabularyMapper"/> computes it: ai.onnx.ml's LabelEncoder from the id to its index.
    /// </summary>
    private static string VocabularyIndex(OnnxGraph g, EmbeddingTable table, string ids, Vocabulary vocabulary)
    {
        ReadOnlySpan<ulong> known = vocabulary.Ids(table.Column);
        var keys = new long[known.Length];
        var values = new long[known.Length];
        for (int i = 0; i < known.Length; i++)
        {
            keys[i] = unchecked((long)known[i]);
            values[i] = vocabulary.IndexOf(table.Column, known[i]);
        }
        return g.Node("LabelEncoder", table.Name + "_vocabulary_index", [ids], node =>
        {
            node.Attribute.Add(OnnxGraph.Ints("keys_int64s", keys));
            node.Attribute.Add(OnnxGraph.Ints("values_int64s", values));
            node.Attribute.Add(OnnxGraph.Int("default_int64", 0));
        }, OnnxExporter.MlDomain);
    }

    private static string IdDoc(EmbeddingTable table, bool mapped) =>
        $"Table {table.Name} (data column {table.ColumnName}): the raw 64-bit id's bits as int64 (a named column's cell as RobeGen.Data.CategoricalIds makes it)"
        + (mapped ? "; the graph maps it through the training vocabulary (unknown ids share index 0)." : ".");
}
