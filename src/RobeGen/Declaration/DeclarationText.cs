using System.Text;

namespace RobeGen;

/// <summary>Human-readable description of a declaration (for <c>robegen inspect</c> and logs).</summary>
internal static class DeclarationText
{
    public static string Describe(ModelDeclaration d)
    {
        var sb = new StringBuilder();
        sb.Append(d.Name).Append(": DLRM, ").Append(d.DenseFeatures).Append(" dense, ").Append(d.TableCount)
          .Append(" tables, dim ").Append(d.EmbeddingDim).AppendLine();
        sb.Append("  bottom MLP ").Append(d.DenseFeatures).Append('-').AppendJoin('-', d.BottomMlp).AppendLine();
        sb.Append("  top MLP    ").Append(d.TopInputWidth).Append('-');
        if (d.TopMlp.Length > 0) sb.AppendJoin('-', d.TopMlp).Append('-');
        sb.Append("1 (").Append(Interaction(d)).AppendLine(")");
        sb.Append("  ROBE array m=").Append(d.RobeSlots.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))
          .Append(" Z=").Append(d.BlockSize).Append(" variant=").Append(d.Variant).Append(" tokens=").Append(d.Tokens).AppendLine();
        if (d.NamedColumns)
        {
            sb.Append("  columns: label '").Append(d.LabelColumn).Append("'; dense ")
              .AppendJoin(", ", d.DenseColumns.Select(c => $"'{c.Name}' ({c.Transform})")).Append("; categorical ")
              .AppendJoin(", ", d.Tables.Select(t => $"'{t.ColumnName}' ({t.Name}, {t.Storage})")).AppendLine();
        }
        sb.Append("  fingerprint ").Append(d.Fingerprint);
        return sb.ToString();
    }

    private static string Interaction(ModelDeclaration d) => d.Interaction switch
    {
        InteractionKind.Dot => d.InteractionPairs + " pairwise dots",
        InteractionKind.Cat => "concatenation of " + d.InteractionVectors + " vectors",
        _ => "DCNv2, " + d.CrossLayers + " cross layers on " + d.ConcatWidth + " features, "
            + (d.CrossRank > 0 ? "rank " + d.CrossRank : "full rank"),
    };
}
