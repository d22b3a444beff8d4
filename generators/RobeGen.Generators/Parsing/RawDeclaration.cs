using System.Collections.Generic;
using RobeGen.Generators.Model;

namespace RobeGen.Generators.Parsing;

/// <summary>
/// A [Dlrm] declaration as read from the symbols, before validation: values as written (possibly invalid) and
/// where each came from. Lives only inside one parse; the pipeline never sees it.
/// </summary>
internal sealed class RawDeclaration
{
    public string Namespace = "";
    public string ClassName = "";
    public string FullName = "";
    public LocationInfo? ClassLocation;
    /// <summary>The class can take a generated partial (partial, at namespace level, not generic).</summary>
    public bool CanHostGeneratedPart;

    public AttributeValues Dlrm = null!;
    public AttributeValues? RobeArray;

    public long DenseFeatures;
    public long EmbeddingDim;
    public IReadOnlyList<long> BottomMlp = new long[0];
    public IReadOnlyList<long> TopMlp = new long[0];
    public long Tokens;
    public long RobeSlots;
    public long BlockSize = 1;
    public long Variant;
    /// <summary>The declared label column name; null when not set (the Criteo layout's "label").</summary>
    public string? Label;
    public long Interaction;
    public long CrossLayers;
    public long CrossRank;

    public List<RawDense> Dense = new();
    public List<RawTable> Tables = new();

    /// <summary>True when the declaration names a column anywhere (Label, [Dense], [Categorical("name")]).</summary>
    public bool NamesColumns => Label is not null || Dense.Count > 0 || Tables.Exists(t => t.ColumnName is not null);
}

/// <summary>One [Dense("name")] attribute as read.</summary>
internal sealed class RawDense
{
    public string? Name;
    public long Transform;
    public AttributeValues Attribute = null!;
}

/// <summary>One [Categorical] property as read, before validation.</summary>
internal sealed class RawTable
{
    public string Name = "";
    public string Modifiers = "";
    public LocationInfo? PropertyLocation;
    public AttributeValues Categorical = null!;
    /// <summary>The property is a bodiless get-only partial EmbeddingTable definition, so an implementation can be emitted.</summary>
    public bool IsImplementable;

    public long Column = -1;
    /// <summary>The column name of [Categorical("name")]; null for a Criteo column index.</summary>
    public string? ColumnName;
    public long Cardinality;
    public long Storage;
    public long Rows;
    public long Pooling;
    public long Hotness = 1;
}
