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
    public long Interaction;
    public long CrossLayers;
    public long CrossRank;

    public List<RawTable> Tables = new();
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
    public long Cardinality;
    public long Storage;
    public long Rows;
}
