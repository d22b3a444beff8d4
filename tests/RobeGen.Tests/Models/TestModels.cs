namespace RobeGen.Tests.Models;

// Test-only declarations, run through the real generator with the test project.

/// <summary>The spec's golden setup with Z = 1: the first two Criteo TB tables (so table 1 token 0 is xg 39,884,406),
/// d = 128, m = 27,000,000 (CriteoTerabyte covers Z = 32).</summary>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 128, BottomMlp = new[] { 128 }, Tokens = TokenKind.Vocabulary)]
[RobeArray(Slots = 27_000_000, BlockSize = 1)]
public partial class GoldenZ1
{
    [Categorical(Column = 0, Cardinality = 39_884_406)] public partial EmbeddingTable T0 { get; }
    [Categorical(Column = 1, Cardinality = 39_043)] public partial EmbeddingTable T1 { get; }
}

// Three small models that differ only in the variant: d = 20 with Z = 8 gives blocks of 8, 8 and a partial 4 (the
// unrolled code copies 8-wide blocks with span copies and the 4-wide one coordinate by coordinate); m = 97 is small
// so that blocks often overlap and, for Circular, wrap. Tables: two ROBE, one Full, one Hashed.

[Dlrm(DenseFeatures = 3, EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 }, Tokens = TokenKind.Vocabulary)]
[RobeArray(Slots = 97, BlockSize = 8, Variant = RobeVariant.Authors)]
public partial class SmallAuthors
{
    [Categorical(Column = 0, Cardinality = 1000)] public partial EmbeddingTable Robe1 { get; }
    [Categorical(Column = 1, Cardinality = 50, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Full1 { get; }
    [Categorical(Column = 2, Cardinality = 300, Storage = EmbeddingStorage.Hashed, Rows = 7)] public partial EmbeddingTable Hashed1 { get; }
    [Categorical(Column = 3, Cardinality = 5000)] public partial EmbeddingTable Robe2 { get; }
}

[Dlrm(DenseFeatures = 3, EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 }, Tokens = TokenKind.Vocabulary)]
[RobeArray(Slots = 97, BlockSize = 8, Variant = RobeVariant.Circular)]
public partial class SmallCircular
{
    [Categorical(Column = 0, Cardinality = 1000)] public partial EmbeddingTable Robe1 { get; }
    [Categorical(Column = 1, Cardinality = 50, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Full1 { get; }
    [Categorical(Column = 2, Cardinality = 300, Storage = EmbeddingStorage.Hashed, Rows = 7)] public partial EmbeddingTable Hashed1 { get; }
    [Categorical(Column = 3, Cardinality = 5000)] public partial EmbeddingTable Robe2 { get; }
}

[Dlrm(DenseFeatures = 3, EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 }, Tokens = TokenKind.Vocabulary)]
[RobeArray(Slots = 97, BlockSize = 8, Variant = RobeVariant.Signed)]
public partial class SmallSigned
{
    [Categorical(Column = 0, Cardinality = 1000)] public partial EmbeddingTable Robe1 { get; }
    [Categorical(Column = 1, Cardinality = 50, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Full1 { get; }
    [Categorical(Column = 2, Cardinality = 300, Storage = EmbeddingStorage.Hashed, Rows = 7)] public partial EmbeddingTable Hashed1 { get; }
    [Categorical(Column = 3, Cardinality = 5000)] public partial EmbeddingTable Robe2 { get; }
}

// QuotientRemainder beside the other storages: Qr1 has Q = 43 quotient rows x R = 7 remainder rows for its 300 ids;
// Qr2 has Q = 4 x R = 3 (12 ids addressed for its 10, so the last quotient row is only partly used).
[Dlrm(DenseFeatures = 3, EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 }, Tokens = TokenKind.Vocabulary)]
[RobeArray(Slots = 97, BlockSize = 8)]
public partial class SmallQr
{
    [Categorical(Column = 0, Cardinality = 1000)] public partial EmbeddingTable Robe1 { get; }
    [Categorical(Column = 1, Cardinality = 300, Storage = EmbeddingStorage.QuotientRemainder, Rows = 7)] public partial EmbeddingTable Qr1 { get; }
    [Categorical(Column = 2, Cardinality = 50, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Full1 { get; }
    [Categorical(Column = 3, Cardinality = 10, Storage = EmbeddingStorage.QuotientRemainder, Rows = 3)] public partial EmbeddingTable Qr2 { get; }
}

// d = 72 takes the GPU kernels' widest lookup (32 lanes, steps of 32, 32 and a partial 8) and Z = 24 puts block edges
// inside a warp's step (lanes of one step read two blocks), with the Signed variant's per-step sign terms; m = 211 is
// small so that blocks overlap. Tables: two ROBE, one Full.
[Dlrm(DenseFeatures = 2, EmbeddingDim = 72, BottomMlp = new[] { 72 }, TopMlp = new[] { 4 }, Tokens = TokenKind.Vocabulary)]
[RobeArray(Slots = 211, BlockSize = 24, Variant = RobeVariant.Signed)]
public partial class WideSigned
{
    [Categorical(Column = 0, Cardinality = 1000)] public partial EmbeddingTable Robe1 { get; }
    [Categorical(Column = 1, Cardinality = 40, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Full1 { get; }
    [Categorical(Column = 2, Cardinality = 5000)] public partial EmbeddingTable Robe2 { get; }
}

// The interactions beside Dot (docs/model-math.md), on SmallAuthors' tables (two ROBE, one Full, one Hashed):
// D = d (T+1) = 20 * 5 = 100 features into the cross layers and the top MLP.

[Dlrm(DenseFeatures = 3, EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 }, Tokens = TokenKind.Vocabulary,
      Interaction = InteractionKind.Cat)]
[RobeArray(Slots = 97, BlockSize = 8)]
public partial class SmallCat
{
    [Categorical(Column = 0, Cardinality = 1000)] public partial EmbeddingTable Robe1 { get; }
    [Categorical(Column = 1, Cardinality = 50, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Full1 { get; }
    [Categorical(Column = 2, Cardinality = 300, Storage = EmbeddingStorage.Hashed, Rows = 7)] public partial EmbeddingTable Hashed1 { get; }
    [Categorical(Column = 3, Cardinality = 5000)] public partial EmbeddingTable Robe2 { get; }
}

[Dlrm(DenseFeatures = 3, EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 }, Tokens = TokenKind.Vocabulary,
      Interaction = InteractionKind.DcnV2, CrossLayers = 2, CrossRank = 7)]
[RobeArray(Slots = 97, BlockSize = 8)]
public partial class SmallDcnLowRank
{
    [Categorical(Column = 0, Cardinality = 1000)] public partial EmbeddingTable Robe1 { get; }
    [Categorical(Column = 1, Cardinality = 50, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Full1 { get; }
    [Categorical(Column = 2, Cardinality = 300, Storage = EmbeddingStorage.Hashed, Rows = 7)] public partial EmbeddingTable Hashed1 { get; }
    [Categorical(Column = 3, Cardinality = 5000)] public partial EmbeddingTable Robe2 { get; }
}

[Dlrm(DenseFeatures = 3, EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 }, Tokens = TokenKind.Vocabulary,
      Interaction = InteractionKind.DcnV2, CrossLayers = 3, CrossRank = 0)]
[RobeArray(Slots = 97, BlockSize = 8)]
public partial class SmallDcnFullRank
{
    [Categorical(Column = 0, Cardinality = 1000)] public partial EmbeddingTable Robe1 { get; }
    [Categorical(Column = 1, Cardinality = 50, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Full1 { get; }
    [Categorical(Column = 2, Cardinality = 300, Storage = EmbeddingStorage.Hashed, Rows = 7)] public partial EmbeddingTable Hashed1 { get; }
    [Categorical(Column = 3, Cardinality = 5000)] public partial EmbeddingTable Robe2 { get; }
}
