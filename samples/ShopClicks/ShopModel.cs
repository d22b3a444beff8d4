using RobeGen;

namespace ShopClicks;

/// <summary>
/// A shop's own click model, on the columns of its own log: the label "clicked", three dense columns (a price spanning
/// orders of magnitude, an age standardized with the training data's mean and deviation, a score taken as it is) and
/// five categorical columns. Users and items share one 100,000-float ROBE array; the few countries get a Full table
/// (the trainer counts their vocabulary when training starts); the device type a small hashed table. The tags column
/// is a list per row (0 to 4 tags): a multi-hot table whose ids are averaged (Mean: a row's tag count does not scale
/// its embedding; no tags gives zeros), also in the ROBE array. Multi-hot models train and predict on the CPU and CUDA backends.
/// </summary>
[Dlrm(Label = "clicked", EmbeddingDim = 16, BottomMlp = new[] { 32, 16 }, TopMlp = new[] { 32 })]
[Dense("price", Transform = DenseTransform.Log1p)]
[Dense("age", Transform = DenseTransform.Standardize)]
[Dense("score")]
[RobeArray(Slots = 100_000, BlockSize = 4)]
public partial class ShopModel
{
    [Categorical("user_id", Cardinality = 1_000_000)] public partial EmbeddingTable User { get; }
    [Categorical("item_id", Cardinality = 50_000)] public partial EmbeddingTable Item { get; }
    [Categorical("country", Cardinality = 64, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Country { get; }
    [Categorical("device", Storage = EmbeddingStorage.Hashed, Rows = 16)] public partial EmbeddingTable Device { get; }
    [Categorical("tags", Pooling = Pooling.Mean, Hotness = 2)] public partial EmbeddingTable Tags { get; }
}
