using System;
using System.Collections.Generic;
using RobeGen.Generators.Diagnostics;
using RobeGen.Generators.Model;

namespace RobeGen.Generators.Parsing;

/// <summary>
/// The checks of which data columns a declaration reads. A declaration either names its columns (Label, [Dense("x")],
/// [Categorical("x")]) or reads the built-in Criteo layout by position (DenseFeatures, Column = n); a position the
/// layout does not have, or a mix of both styles, is an error here rather than a crash when the data is read.
/// </summary>
internal static class ColumnRules
{
    /// <summary>The Criteo layout: I1..I13 and C1..C26 (CriteoSchema in the runtime).</summary>
    public const int CriteoDenseColumns = 13;
    public const int CriteoCategoricalColumns = 26;

    /// <summary>The dense inputs: the [Dense] columns when named, else DenseFeatures.</summary>
    public static long DenseCount(RawDeclaration raw) => raw.Dense.Count > 0 ? raw.Dense.Count : raw.DenseFeatures;

    public static void Check(RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        if (raw.NamesColumns) CheckNamed(raw, diagnostics);
        else CheckCriteo(raw, diagnostics);
    }

    private static void CheckCriteo(RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        if (raw.DenseFeatures > CriteoDenseColumns)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CriteoDenseOutOfRange, raw.Dlrm.ArgumentLocation("DenseFeatures"),
                raw.DenseFeatures, CriteoDenseColumns));
        foreach (RawTable table in raw.Tables)
        {
            if (table.Column >= CriteoCategoricalColumns)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CriteoColumnOutOfRange, table.Categorical.ArgumentLocation("Column"),
                    table.Name, table.Column, CriteoCategoricalColumns - 1, CriteoCategoricalColumns));
        }
    }

    private static void CheckNamed(RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        if (raw.Dense.Count == 0 && raw.DenseFeatures > 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MixedColumnStyles, raw.Dlrm.ArgumentLocation("DenseFeatures"),
                "DenseFeatures = " + raw.DenseFeatures, raw.ClassName));
        else if (raw.Dense.Count > 0 && raw.Dlrm.Has("DenseFeatures") && raw.DenseFeatures != raw.Dense.Count)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DenseCountMismatch, raw.Dlrm.ArgumentLocation("DenseFeatures"),
                raw.DenseFeatures, raw.Dense.Count));

        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        if (raw.Label is not null) Claim(raw.Label, "the label", raw.Dlrm.ArgumentLocation("Label"), owners, diagnostics);
        else owners.Add("label", "the label");
        foreach (RawDense dense in raw.Dense)
        {
            if (dense.Transform is not (0 or 1 or 2))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownEnumValue, dense.Attribute.ArgumentLocation("Transform"),
                    "Transform", dense.Transform, "DenseTransform", "None, Log1p, Standardize"));
            Claim(dense.Name ?? "", "a dense feature", dense.Attribute.ConstructorArgumentLocation, owners, diagnostics);
        }
        foreach (RawTable table in raw.Tables)
        {
            if (table.ColumnName is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MixedColumnStyles, table.Categorical.ArgumentLocation("Column"),
                    "table '" + table.Name + "' (Column = " + table.Column + ")", raw.ClassName));
                continue;
            }
            if (table.Categorical.Has("Column"))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MixedColumnStyles, table.Categorical.ArgumentLocation("Column"),
                    "table '" + table.Name + "' (Column = " + table.Column + " besides its name)", raw.ClassName));
            Claim(table.ColumnName, "table '" + table.Name + "'", table.Categorical.ConstructorArgumentLocation, owners, diagnostics);
        }
    }

    /// <summary>A column name must be non-blank and read once.</summary>
    private static void Claim(string name, string reader, LocationInfo? where, Dictionary<string, string> owners, List<DiagnosticInfo> diagnostics)
    {
        if (name.Trim().Length == 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BlankColumnName, where, reader));
        else if (owners.TryGetValue(name, out string? owner))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateColumnName, where, reader, name, owner));
        else
            owners.Add(name, reader);
    }
}
