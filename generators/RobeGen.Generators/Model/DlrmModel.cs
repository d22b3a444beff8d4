using System;
using System.Linq;

namespace RobeGen.Generators.Model;

// Storage, token, variant, dense-transform and interaction values mirror the runtime enums of src/RobeGen/Declaration/Enums.cs
// (the generator cannot reference the net10.0 runtime assembly).
internal enum TableStorage { Robe = 0, Full = 1, Hashed = 2, QuotientRemainder = 3 }

internal enum TokenKind { RawId = 0, Vocabulary = 1 }

internal enum RobeVariant { Authors = 0, Circular = 1, Signed = 2 }

internal enum DenseTransform { None = 0, Log1p = 1, Standardize = 2 }

/// <summary>One named dense input column.</summary>
internal sealed record DenseColumnModel(string Name, DenseTransform Transform);

internal enum InteractionKind { Dot = 0, Cat = 1, DcnV2 = 2 }

internal enum Pooling { None = 0, Sum = 1, Mean = 2 }

/// <summary>One [Categorical] table as resolved at compile time.</summary>
/// <param name="Modifiers">The property's modifiers as declared ("public partial", ...): the implementation must repeat them.</param>
/// <param name="TokenOffset">Constant added to a token to form the global row id xg.</param>
internal sealed record TableModel(
    string Name,
    string Modifiers,
    int Index,
    int Column,
    string ColumnName,
    long Cardinality,
    TableStorage Storage,
    long Rows,
    ulong TokenOffset)
{
    /// <summary>How a multi-hot cell is pooled (None: one id per cell).</summary>
    public Pooling Pooling { get; init; }

    /// <summary>Ids per cell that synthetic data uses (1 for a single-hot table).</summary>
    public int Hotness { get; init; } = 1;

    public bool IsMultiHot => Pooling != Pooling.None;
}

/// <summary>Everything the emitter needs to write one model; plain values only (no symbols, syntax or locations).</summary>
/// <param name="Namespace">Containing namespace, empty for the global namespace.</param>
/// <param name="ClassName">The declaring class's name.</param>
/// <param name="FullName">Namespace-qualified name (ModelDeclaration.Name).</param>
internal sealed record DlrmModel(
    string Namespace,
    string ClassName,
    string FullName,
    int DenseFeatures,
    int EmbeddingDim,
    EquatableArray<int> BottomMlp,
    EquatableArray<int> TopMlp,
    TokenKind Tokens,
    long RobeSlots,
    int BlockSize,
    RobeVariant Variant,
    EquatableArray<TableModel> Tables,
    InteractionKind Interaction = InteractionKind.Dot,
    int CrossLayers = 0,
    int CrossRank = 0)
{
    public int TableCount => Tables.Count;

    /// <summary>True when some table is multi-hot (ModelDeclaration.HasMultiHotTables).</summary>
    public bool HasMultiHotTables => Tables.Any(t => t.IsMultiHot);

    /// <summary>True when the declaration names its columns; false for the Criteo layout (then the two below are its defaults).</summary>
    public bool NamedColumns { get; init; }

    public string LabelColumn { get; init; } = "label";

    /// <summary>The named dense columns in input order (empty for the Criteo layout).</summary>
    public EquatableArray<DenseColumnModel> DenseColumns { get; init; }

    /// <summary>Width D = d (T+1) of [u, E_1, .., E_T] (ModelDeclaration.ConcatWidth).</summary>
    public long ConcatWidth => (long)EmbeddingDim * (TableCount + 1);

    /// <summary>ModelDeclaration.TopInputWidth: d + (T+1)T/2 for Dot, D otherwise.</summary>
    public long TopInputWidth => Interaction == InteractionKind.Dot ? EmbeddingDim + (long)(TableCount + 1) * TableCount / 2 : ConcatWidth;

    /// <summary>ModelDeclaration.CrossParameterCount: per cross layer 2 D r + D (low rank) or D^2 + D (full rank).</summary>
    public long CrossParameters => Interaction != InteractionKind.DcnV2 ? 0
        : CrossLayers * ((CrossRank > 0 ? 2 * ConcatWidth * CrossRank : ConcatWidth * ConcatWidth) + ConcatWidth);

    /// <summary>Blocks per ROBE embedding with the declared Z: ceil(d / Z).</summary>
    public int RobeBlocks => (EmbeddingDim + BlockSize - 1) / BlockSize;

    public string HintName => (Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName) + ".Dlrm.g.cs";
}

/// <summary>
/// A declaration that has errors: the emitter implements its table properties and the generated members (as
/// throwing getters and zero constants) so that the user sees the RG errors alone, with no follow-on "partial
/// property has no implementation" or "does not contain a definition for 'Definition'".
/// </summary>
/// <param name="PropertyNames">Every [Categorical] property's name: a generated member of the same name is left out.</param>
internal sealed record StubModel(string Namespace, string ClassName, EquatableArray<TableModel> Tables, EquatableArray<string> PropertyNames)
{
    public string HintName => (Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName) + ".Dlrm.g.cs";
}

/// <summary>What the parser makes of one [Dlrm] class: a model (no errors) or a stub (errors), and the diagnostics.</summary>
internal sealed record ParseResult(DlrmModel? Model, StubModel? Stub, EquatableArray<DiagnosticInfo> Diagnostics);
