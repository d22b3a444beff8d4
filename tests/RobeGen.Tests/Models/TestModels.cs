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

/// <summary>A shop's own click model on named columns: every dense transform, a ROBE and a Full table.</summary>
[Dlrm(Label = "clicked", EmbeddingDim = 4, BottomMlp = new[] { 8, 4 }, TopMlp = new[] { 8 })]
[Dense("price", Transform = DenseTransform.Log1p)]
[Dense("age", Transform = DenseTransform.Standardize)]
[Dense("score")]
[RobeArray(Slots = 512, BlockSize = 2)]
public partial class ShopClicks
{
    [Categorical("user_id", Cardinality = 1000)] public partial EmbeddingTable User { get; }
    [Categorical("country", Cardinality = 50, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Country { get; }
}

/// <summary>A model of the Avazu CTR log's own columns (CSV with a header): its hour as the dense input, 20 categorical columns.</summary>
[Dlrm(Label = "click", EmbeddingDim = 8, BottomMlp = new[] { 16, 8 }, TopMlp = new[] { 32 })]
[Dense("hour", Transform = DenseTransform.Standardize)]
[RobeArray(Slots = 200_000, BlockSize = 4)]
public partial class AvazuClicks
{
    [Categorical("C1")] public partial EmbeddingTable C1 { get; }
    [Categorical("banner_pos")] public partial EmbeddingTable BannerPos { get; }
    [Categorical("site_id")] public partial EmbeddingTable Site { get; }
    [Categorical("site_domain")] public partial EmbeddingTable SiteDomain { get; }
    [Categorical("site_category")] public partial EmbeddingTable SiteCategory { get; }
    [Categorical("app_id")] public partial EmbeddingTable App { get; }
    [Categorical("app_domain")] public partial EmbeddingTable AppDomain { get; }
    [Categorical("app_category")] public partial EmbeddingTable AppCategory { get; }
    [Categorical("device_model")] public partial EmbeddingTable DeviceModel { get; }
    [Categorical("device_type", Cardinality = 8, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable DeviceType { get; }
    [Categorical("device_conn_type", Cardinality = 8, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable ConnectionType { get; }
    [Categorical("C14")] public partial EmbeddingTable C14 { get; }
    [Categorical("C15")] public partial EmbeddingTable C15 { get; }
    [Categorical("C16")] public partial EmbeddingTable C16 { get; }
    [Categorical("C17")] public partial EmbeddingTable C17 { get; }
    [Categorical("C18")] public partial EmbeddingTable C18 { get; }
    [Categorical("C19")] public partial EmbeddingTable C19 { get; }
    [Categorical("C20")] public partial EmbeddingTable C20 { get; }
    [Categorical("C21")] public partial EmbeddingTable C21 { get; }
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
