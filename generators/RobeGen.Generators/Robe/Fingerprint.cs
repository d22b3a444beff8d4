using System.Collections.Generic;
using System.Globalization;
using System.Text;
using RobeGen.Generators.Model;

namespace RobeGen.Generators.Robe;

/// <summary>
/// The declaration's fingerprint: FNV-1a 64 of a canonical text of every field (16 lower-case hex digits).
/// It depends only on the declaration's values, never on whitespace, file paths or attribute argument order.
/// </summary>
internal static class Fingerprint
{
    private const ulong FnvOffsetBasis = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    public static string Of(DlrmModel model) => Fnv1a64(CanonicalText(model)).ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>One "key=value" line per field, tables in declaration order. Version tag first: a change of the
    /// format must change every fingerprint.</summary>
    public static string CanonicalText(DlrmModel model)
    {
        var text = new StringBuilder();
        void Line(string key, string value) => text.Append(key).Append('=').Append(value).Append('\n');
        Line("robegen.dlrm", "1");
        Line("name", model.FullName);
        Line("dense", Number(model.DenseFeatures));
        Line("dim", Number(model.EmbeddingDim));
        Line("bottom", Join(model.BottomMlp));
        Line("top", Join(model.TopMlp));
        Line("tokens", model.Tokens.ToString());
        Line("slots", Number(model.RobeSlots));
        Line("blocksize", Number(model.BlockSize));
        Line("variant", model.Variant.ToString());
        // Named columns add their lines; a Criteo-layout declaration's text (and fingerprint) is as it always was.
        if (model.NamedColumns)
        {
            Line("label", model.LabelColumn);
            foreach (DenseColumnModel dense in model.DenseColumns) Line("densecolumn", dense.Name + ";transform=" + dense.Transform);
        }
        // Dot writes no line, so the fingerprints (and checkpoints) of every model declared before the choice existed stay valid.
        if (model.Interaction != InteractionKind.Dot)
            Line("interaction", model.Interaction + ";crosslayers=" + Number(model.CrossLayers) + ";crossrank=" + Number(model.CrossRank));
        foreach (TableModel table in model.Tables)
        {
            Line("table", table.Name + ";column=" + Number(table.Column) + (model.NamedColumns ? ";name=" + table.ColumnName : "")
                + ";cardinality=" + Number(table.Cardinality) + ";storage=" + table.Storage + ";rows=" + Number(table.Rows)
                // Single-hot tables write nothing more, so their fingerprints (and checkpoints) stay valid.
                + (table.IsMultiHot || table.Hotness != 1 ? ";pooling=" + table.Pooling + ";hotness=" + Number(table.Hotness) : ""));
        }
        return text.ToString();
    }

    public static ulong Fnv1a64(string text)
    {
        ulong hash = FnvOffsetBasis;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash = unchecked(hash * FnvPrime);
        }
        return hash;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Join(IEnumerable<int> values)
    {
        var parts = new List<string>();
        foreach (int v in values) parts.Add(Number(v));
        return string.Join(",", parts);
    }
}
