namespace RobeGen.Onnx.Tests;

// Multi-hot declarations on named columns. Their dense columns are untransformed, so a hand-made batch's dense values
// are also the graph's raw inputs. Tiny ROBE arrays make many ids share slots, so an addressing slip changes predictions.

/// <summary>A sum-pooled ROBE bag and a sum-pooled QuotientRemainder bag beside a single-hot table; dot interaction.</summary>
[Dlrm(Label = "clicked", EmbeddingDim = 8, BottomMlp = new[] { 8 }, TopMlp = new[] { 6 })]
[Dense("price")]
[Dense("score")]
[RobeArray(Slots = 499, BlockSize = 4)]
public partial class TaggedSumExport
{
    [Categorical("user_id")] public partial EmbeddingTable User { get; }
    [Categorical("tags", Pooling = Pooling.Sum, Hotness = 3)] public partial EmbeddingTable Tags { get; }
    [Categorical("genres", Pooling = Pooling.Sum, Hotness = 2, Cardinality = 100_000, Storage = EmbeddingStorage.QuotientRemainder, Rows = 29)]
    public partial EmbeddingTable Genres { get; }
}

/// <summary>Mean-pooled bags on Signed ROBE and on a Hashed table; cat interaction.</summary>
[Dlrm(Label = "clicked", EmbeddingDim = 8, BottomMlp = new[] { 8 }, TopMlp = new[] { 6 }, Interaction = InteractionKind.Cat)]
[Dense("price")]
[RobeArray(Slots = 307, BlockSize = 2, Variant = RobeVariant.Signed)]
public partial class TaggedMeanExport
{
    [Categorical("user_id")] public partial EmbeddingTable User { get; }
    [Categorical("tags", Pooling = Pooling.Mean, Hotness = 4)] public partial EmbeddingTable Tags { get; }
    [Categorical("topics", Pooling = Pooling.Mean, Hotness = 2, Storage = EmbeddingStorage.Hashed, Rows = 13)] public partial EmbeddingTable Topics { get; }
}

/// <summary>A mean-pooled Full bag: its ids go through the training vocabulary (a LabelEncoder over the jagged values).</summary>
[Dlrm(Label = "clicked", EmbeddingDim = 8, BottomMlp = new[] { 8 }, TopMlp = new[] { 6 })]
[Dense("price")]
[RobeArray(Slots = 307, BlockSize = 4)]
public partial class TaggedFullExport
{
    [Categorical("user_id")] public partial EmbeddingTable User { get; }
    [Categorical("genres", Pooling = Pooling.Mean, Hotness = 2, Cardinality = 64, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Genres { get; }
}

/// <summary>A single-hot table named as the multi-hot one's ids input: the export must refuse it, naming both.</summary>
[Dlrm(Label = "clicked", EmbeddingDim = 8, BottomMlp = new[] { 8 }, TopMlp = new[] { 6 })]
[Dense("price")]
[RobeArray(Slots = 307, BlockSize = 4)]
public partial class ClashingBagExport
{
    [Categorical("tags", Pooling = Pooling.Sum, Hotness = 2)] public partial EmbeddingTable Tags { get; }
    [Categorical("tag_values")] public partial EmbeddingTable Tags_values { get; }
}
