namespace RobeGen.Tests.Models;

// Multi-hot test declarations: bags pooled by Sum and Mean beside single-hot tables, on every storage. d = 20 with
// Z = 8 (blocks 8, 8 and a partial 4) and m = 97 as the Small* models, so blocks overlap and ids of one bag collide.

/// <summary>Every storage pooled: a ROBE Sum bag, a Full single-hot table, a Hashed Mean bag, a QuotientRemainder Mean bag
/// (Q = 43 x R = 7 for 300 ids) and a single-hot ROBE table.</summary>
[Dlrm(Label = "clicked", EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 })]
[Dense("price", Transform = DenseTransform.Log1p)]
[Dense("age")]
[Dense("score")]
[RobeArray(Slots = 97, BlockSize = 8, Variant = RobeVariant.Authors)]
public partial class MultiHotAuthors
{
    [Categorical("tags", Cardinality = 1000, Pooling = Pooling.Sum, Hotness = 3)] public partial EmbeddingTable Tags { get; }
    [Categorical("user", Cardinality = 50, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable User { get; }
    [Categorical("genres", Cardinality = 300, Storage = EmbeddingStorage.Hashed, Rows = 7, Pooling = Pooling.Mean, Hotness = 2)]
    public partial EmbeddingTable Genres { get; }
    [Categorical("items", Cardinality = 300, Storage = EmbeddingStorage.QuotientRemainder, Rows = 7, Pooling = Pooling.Mean, Hotness = 4)]
    public partial EmbeddingTable Items { get; }
    [Categorical("city", Cardinality = 5000)] public partial EmbeddingTable City { get; }
}

/// <summary>The Signed variant with ROBE bags pooled by Mean and Sum and a Full bag pooled by Sum.</summary>
[Dlrm(Label = "clicked", EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 })]
[Dense("price")]
[Dense("age")]
[RobeArray(Slots = 97, BlockSize = 8, Variant = RobeVariant.Signed)]
public partial class MultiHotSigned
{
    [Categorical("tags", Cardinality = 1000, Pooling = Pooling.Mean, Hotness = 5)] public partial EmbeddingTable Tags { get; }
    [Categorical("user", Cardinality = 5000)] public partial EmbeddingTable User { get; }
    [Categorical("genres", Cardinality = 40, Storage = EmbeddingStorage.Full, Pooling = Pooling.Sum, Hotness = 2)] public partial EmbeddingTable Genres { get; }
}

/// <summary>The Circular variant, every table pooled (blocks wrap around the array's end).</summary>
[Dlrm(Label = "clicked", EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 })]
[Dense("price")]
[RobeArray(Slots = 97, BlockSize = 8, Variant = RobeVariant.Circular)]
public partial class MultiHotCircular
{
    [Categorical("tags", Cardinality = 1000, Pooling = Pooling.Sum, Hotness = 3)] public partial EmbeddingTable Tags { get; }
    [Categorical("words", Cardinality = 1000, Pooling = Pooling.Mean, Hotness = 3)] public partial EmbeddingTable Words { get; }
}

/// <summary>MLPerf's multi-hot DLRM-DCNv2 in miniature (CriteoTerabyteDcnV2MultiHot's shape): vocabulary tokens, low-rank
/// cross layers, every table a Sum bag, hotness 1 beside larger ones.</summary>
[Dlrm(Label = "label", EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 }, Tokens = TokenKind.Vocabulary,
      Interaction = InteractionKind.DcnV2, CrossLayers = 2, CrossRank = 7)]
[Dense("I1", Transform = DenseTransform.Log1p)]
[Dense("I2", Transform = DenseTransform.Log1p)]
[RobeArray(Slots = 97, BlockSize = 8)]
public partial class MultiHotDcnV2
{
    [Categorical("C1", Cardinality = 1000, Pooling = Pooling.Sum, Hotness = 3)] public partial EmbeddingTable C1 { get; }
    [Categorical("C2", Cardinality = 50, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C2 { get; }
    [Categorical("C3", Cardinality = 5000, Pooling = Pooling.Sum, Hotness = 12)] public partial EmbeddingTable C3 { get; }
}

/// <summary>Z = 16 with d = 20 (16 lanes per lookup): each of a lane's two steps lies in one block (block 0, then the
/// partial block 1 on 4 lanes), so the generated bag gather hashes an id's blocks once each. Signed, ROBE bags pooled by
/// Sum and Mean beside a QuotientRemainder Mean bag.</summary>
[Dlrm(Label = "clicked", EmbeddingDim = 20, BottomMlp = new[] { 8, 20 }, TopMlp = new[] { 4 })]
[Dense("price")]
[RobeArray(Slots = 97, BlockSize = 16, Variant = RobeVariant.Signed)]
public partial class MultiHotLaneBlocks
{
    [Categorical("tags", Cardinality = 1000, Pooling = Pooling.Sum, Hotness = 3)] public partial EmbeddingTable Tags { get; }
    [Categorical("words", Cardinality = 1000, Pooling = Pooling.Mean, Hotness = 4)] public partial EmbeddingTable Words { get; }
    [Categorical("items", Cardinality = 300, Storage = EmbeddingStorage.QuotientRemainder, Rows = 7, Pooling = Pooling.Mean, Hotness = 2)]
    public partial EmbeddingTable Items { get; }
}

/// <summary>Z = 64 with d = 72 (32 lanes, 3 steps, the last on 8 lanes): two steps of a lane share block 0 (at lane and
/// lane + 32), the third reads the partial block 1. Circular on m = 97, so blocks wrap; a Full and a Hashed bag beside.</summary>
[Dlrm(Label = "clicked", EmbeddingDim = 72, BottomMlp = new[] { 8, 72 }, TopMlp = new[] { 4 })]
[Dense("price")]
[RobeArray(Slots = 97, BlockSize = 64, Variant = RobeVariant.Circular)]
public partial class MultiHotWideBlocks
{
    [Categorical("tags", Cardinality = 1000, Pooling = Pooling.Sum, Hotness = 3)] public partial EmbeddingTable Tags { get; }
    [Categorical("user", Cardinality = 40, Storage = EmbeddingStorage.Full, Pooling = Pooling.Sum, Hotness = 2)] public partial EmbeddingTable User { get; }
    [Categorical("genres", Cardinality = 300, Storage = EmbeddingStorage.Hashed, Rows = 7, Pooling = Pooling.Mean, Hotness = 2)]
    public partial EmbeddingTable Genres { get; }
}
