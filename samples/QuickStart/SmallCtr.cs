using RobeGen;

namespace QuickStart;

/// <summary>
/// A user's own click model: 13 dense Criteo features and 8 of the 26 categorical columns. Most tables share one
/// 200,000-float ROBE array (800 KB); the small, low-cardinality column C6 gets a plain hashed table instead.
/// The generator turns this declaration into the model's constants, hashes and kernels at compile time; a wrong
/// value (say BottomMlp ending in 32) is a compile error RGxxxx, not a crash at run time.
/// </summary>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 16, BottomMlp = new[] { 64, 16 }, TopMlp = new[] { 64, 32 })]
[RobeArray(Slots = 200_000, BlockSize = 4)]
public partial class SmallCtr
{
    [Categorical(Column = 0, Cardinality = 1_460)] public partial EmbeddingTable Publisher { get; }
    [Categorical(Column = 2, Cardinality = 10_131_227)] public partial EmbeddingTable User { get; }
    [Categorical(Column = 3, Cardinality = 2_202_608)] public partial EmbeddingTable Ad { get; }
    [Categorical(Column = 5, Cardinality = 24, Storage = EmbeddingStorage.Hashed, Rows = 64)] public partial EmbeddingTable Device { get; }
    [Categorical(Column = 8, Cardinality = 3)] public partial EmbeddingTable Slot { get; }
    [Categorical(Column = 11, Cardinality = 8_351_593)] public partial EmbeddingTable Query { get; }
    [Categorical(Column = 15, Cardinality = 5_461_306)] public partial EmbeddingTable Page { get; }
    [Categorical(Column = 20, Cardinality = 7_046_547)] public partial EmbeddingTable Campaign { get; }
}
