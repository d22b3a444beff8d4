namespace RobeGen.Onnx.Tests;

// Small declarations over Criteo columns, one per storage and ROBE variant the exporter must reproduce. Tiny ROBE
// arrays make many ids share slots, so an addressing slip changes predictions.

[Dlrm(DenseFeatures = 13, EmbeddingDim = 8, BottomMlp = new[] { 16, 8 }, TopMlp = new[] { 12 })]
[RobeArray(Slots = 997, BlockSize = 4)]
public partial class AuthorsExport
{
    [Categorical(Column = 0, Cardinality = 1_460)] public partial EmbeddingTable C1 { get; }
    [Categorical(Column = 2, Cardinality = 10_131_227)] public partial EmbeddingTable C3 { get; }
    [Categorical(Column = 5, Cardinality = 24)] public partial EmbeddingTable C6 { get; }
    [Categorical(Column = 11, Cardinality = 8_351_593)] public partial EmbeddingTable C12 { get; }
}

/// <summary>Circular blocks, and Z = 3, which does not divide d = 8: the last block is partial.</summary>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 8, BottomMlp = new[] { 8 }, TopMlp = new[] { 6 })]
[RobeArray(Slots = 211, BlockSize = 3, Variant = RobeVariant.Circular)]
public partial class CircularExport
{
    [Categorical(Column = 1, Cardinality = 583)] public partial EmbeddingTable C2 { get; }
    [Categorical(Column = 3, Cardinality = 2_202_608)] public partial EmbeddingTable C4 { get; }
    [Categorical(Column = 20, Cardinality = 7_046_547)] public partial EmbeddingTable C21 { get; }
}

[Dlrm(DenseFeatures = 13, EmbeddingDim = 8, BottomMlp = new[] { 8 }, TopMlp = new[] { 6 })]
[RobeArray(Slots = 307, BlockSize = 2, Variant = RobeVariant.Signed)]
public partial class SignedExport
{
    [Categorical(Column = 2, Cardinality = 10_131_227)] public partial EmbeddingTable C3 { get; }
    [Categorical(Column = 9, Cardinality = 93_145)] public partial EmbeddingTable C10 { get; }
    [Categorical(Column = 15, Cardinality = 5_461_306)] public partial EmbeddingTable C16 { get; }
}

/// <summary>Every storage in one model: ROBE, Full (through the training vocabulary), Hashed and QuotientRemainder.</summary>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 8, BottomMlp = new[] { 16, 8 }, TopMlp = new[] { 12 })]
[RobeArray(Slots = 499, BlockSize = 4)]
public partial class MixedExport
{
    [Categorical(Column = 2, Cardinality = 10_131_227)] public partial EmbeddingTable C3 { get; }
    [Categorical(Column = 5, Cardinality = 24, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable C6 { get; }
    [Categorical(Column = 9, Storage = EmbeddingStorage.Hashed, Rows = 37)] public partial EmbeddingTable C10 { get; }
    [Categorical(Column = 11, Cardinality = 8_351_593, Storage = EmbeddingStorage.QuotientRemainder, Rows = 29)] public partial EmbeddingTable C12 { get; }
}

/// <summary>The paper's setup: every table takes vocabulary indices, xg = index + the earlier tables' cardinalities.</summary>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 8, BottomMlp = new[] { 8 }, TopMlp = new[] { 6 }, Tokens = TokenKind.Vocabulary)]
[RobeArray(Slots = 401, BlockSize = 4)]
public partial class VocabularyExport
{
    [Categorical(Column = 0, Cardinality = 1_460)] public partial EmbeddingTable C1 { get; }
    [Categorical(Column = 4, Cardinality = 305)] public partial EmbeddingTable C5 { get; }
    [Categorical(Column = 13, Cardinality = 27)] public partial EmbeddingTable C14 { get; }
}

/// <summary>Cat: the top MLP reads [u, E_C3, E_C6, E_C10] (D = 32); ROBE, Full and Hashed tables.</summary>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 8, BottomMlp = new[] { 16, 8 }, TopMlp = new[] { 12 }, Interaction = InteractionKind.Cat)]
[RobeArray(Slots = 499, BlockSize = 4)]
public partial class CatExport
{
    [Categorical(Column = 2, Cardinality = 10_131_227)] public partial EmbeddingTable C3 { get; }
    [Categorical(Column = 5, Cardinality = 24, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable C6 { get; }
    [Categorical(Column = 9, Storage = EmbeddingStorage.Hashed, Rows = 37)] public partial EmbeddingTable C10 { get; }
}

/// <summary>DcnV2, two low-rank cross layers (r = 5) on D = 32.</summary>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 8, BottomMlp = new[] { 16, 8 }, TopMlp = new[] { 12 },
      Interaction = InteractionKind.DcnV2, CrossLayers = 2, CrossRank = 5)]
[RobeArray(Slots = 499, BlockSize = 4)]
public partial class DcnLowRankExport
{
    [Categorical(Column = 2, Cardinality = 10_131_227)] public partial EmbeddingTable C3 { get; }
    [Categorical(Column = 5, Cardinality = 24, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable C6 { get; }
    [Categorical(Column = 9, Storage = EmbeddingStorage.Hashed, Rows = 37)] public partial EmbeddingTable C10 { get; }
}

/// <summary>DcnV2, three full-rank cross layers on D = 32.</summary>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 8, BottomMlp = new[] { 16, 8 }, TopMlp = new[] { 12 },
      Interaction = InteractionKind.DcnV2, CrossLayers = 3)]
[RobeArray(Slots = 499, BlockSize = 4)]
public partial class DcnFullRankExport
{
    [Categorical(Column = 2, Cardinality = 10_131_227)] public partial EmbeddingTable C3 { get; }
    [Categorical(Column = 5, Cardinality = 24, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable C6 { get; }
    [Categorical(Column = 9, Storage = EmbeddingStorage.Hashed, Rows = 37)] public partial EmbeddingTable C10 { get; }
}
