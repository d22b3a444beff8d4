using System;

namespace RobeGen.Generators.Model;

// Storage, token and variant values mirror the runtime enums of src/RobeGen/Declaration/Enums.cs
// (the generator cannot reference the net10.0 runtime assembly).
internal enum TableStorage { Robe = 0, Full = 1, Hashed = 2, QuotientRemainder = 3 }

internal enum TokenKind { RawId = 0, Vocabulary = 1 }

internal enum RobeVariant { Authors = 0, Circular = 1, Signed = 2 }

internal enum InteractionKind { Dot = 0, Cat = 1, DcnV2 = 2 }

/// <summary>One [Categorical] table as resolved at compile time.</summary>
/// <param name="Modifiers">The property's modifiers as declared ("public partial", ...): the implementation must repeat them.</param>
/// <param name="TokenOffset">Constant added to a token to form the global row id xg.</param>
internal sealed record TableModel(
    string Name,
    string Modifiers,
    int Index,
    int Column,
    long Cardinality,
    TableStorage Storage,
    long Rows,
    ulong TokenOffset);

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
/// The table properties of a declaration that has errors: the emitter implements just these (as throwing
/// getters) so that the user sees the RG errors and no follow-on "partial property has no implementation".
/// </summary>
internal sealed record StubModel(string Namespace, string ClassName, EquatableArray<TableModel> Tables)
{
    public string HintName => (Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName) + ".Dlrm.g.cs";
}

/// <summary>What the parser makes of one [Dlrm] class: a model (no errors) or a stub (errors), and the diagnostics.</summary>
internal sealed record ParseResult(DlrmModel? Model, StubModel? Stub, EquatableArray<DiagnosticInfo> Diagnostics);
