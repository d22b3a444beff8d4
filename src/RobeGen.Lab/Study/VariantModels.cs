namespace RobeGen.Lab.Study;

// The ROBE variants are a property of the declaration (the generator bakes the addressing formula into the kernels),
// so the study compares them through twins of the reference Kaggle model (same tables, MLPs and array) that differ
// only in Variant.

/// <summary><see cref="Models.CriteoKaggle"/> with ROBE blocks that wrap around the end of the array.</summary>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 16, BottomMlp = new[] { 512, 256, 64, 16 }, TopMlp = new[] { 512, 256 }, Tokens = TokenKind.RawId)]
[RobeArray(Slots = 540_000, BlockSize = 4, Variant = RobeVariant.Circular)]
internal partial class CriteoKaggleCircular
{
    [Categorical(Column = 0, Cardinality = 1_460)] public partial EmbeddingTable C1 { get; }
    [Categorical(Column = 1, Cardinality = 583)] public partial EmbeddingTable C2 { get; }
    [Categorical(Column = 2, Cardinality = 10_131_227)] public partial EmbeddingTable C3 { get; }
    [Categorical(Column = 3, Cardinality = 2_202_608)] public partial EmbeddingTable C4 { get; }
    [Categorical(Column = 4, Cardinality = 305)] public partial EmbeddingTable C5 { get; }
    [Categorical(Column = 5, Cardinality = 24)] public partial EmbeddingTable C6 { get; }
    [Categorical(Column = 6, Cardinality = 12_517)] public partial EmbeddingTable C7 { get; }
    [Categorical(Column = 7, Cardinality = 633)] public partial EmbeddingTable C8 { get; }
    [Categorical(Column = 8, Cardinality = 3)] public partial EmbeddingTable C9 { get; }
    [Categorical(Column = 9, Cardinality = 93_145)] public partial EmbeddingTable C10 { get; }
    [Categorical(Column = 10, Cardinality = 5_683)] public partial EmbeddingTable C11 { get; }
    [Categorical(Column = 11, Cardinality = 8_351_593)] public partial EmbeddingTable C12 { get; }
    [Categorical(Column = 12, Cardinality = 3_194)] public partial EmbeddingTable C13 { get; }
    [Categorical(Column = 13, Cardinality = 27)] public partial EmbeddingTable C14 { get; }
    [Categorical(Column = 14, Cardinality = 14_992)] public partial EmbeddingTable C15 { get; }
    [Categorical(Column = 15, Cardinality = 5_461_306)] public partial EmbeddingTable C16 { get; }
    [Categorical(Column = 16, Cardinality = 10)] public partial EmbeddingTable C17 { get; }
    [Categorical(Column = 17, Cardinality = 5_652)] public partial EmbeddingTable C18 { get; }
    [Categorical(Column = 18, Cardinality = 2_173)] public partial EmbeddingTable C19 { get; }
    [Categorical(Column = 19, Cardinality = 4)] public partial EmbeddingTable C20 { get; }
    [Categorical(Column = 20, Cardinality = 7_046_547)] public partial EmbeddingTable C21 { get; }
    [Categorical(Column = 21, Cardinality = 18)] public partial EmbeddingTable C22 { get; }
    [Categorical(Column = 22, Cardinality = 15)] public partial EmbeddingTable C23 { get; }
    [Categorical(Column = 23, Cardinality = 286_181)] public partial EmbeddingTable C24 { get; }
    [Categorical(Column = 24, Cardinality = 105)] public partial EmbeddingTable C25 { get; }
    [Categorical(Column = 25, Cardinality = 142_572)] public partial EmbeddingTable C26 { get; }
}

/// <summary><see cref="Models.CriteoKaggle"/> with a hashed +/-1 sign on every ROBE coordinate.</summary>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 16, BottomMlp = new[] { 512, 256, 64, 16 }, TopMlp = new[] { 512, 256 }, Tokens = TokenKind.RawId)]
[RobeArray(Slots = 540_000, BlockSize = 4, Variant = RobeVariant.Signed)]
internal partial class CriteoKaggleSigned
{
    [Categorical(Column = 0, Cardinality = 1_460)] public partial EmbeddingTable C1 { get; }
    [Categorical(Column = 1, Cardinality = 583)] public partial EmbeddingTable C2 { get; }
    [Categorical(Column = 2, Cardinality = 10_131_227)] public partial EmbeddingTable C3 { get; }
    [Categorical(Column = 3, Cardinality = 2_202_608)] public partial EmbeddingTable C4 { get; }
    [Categorical(Column = 4, Cardinality = 305)] public partial EmbeddingTable C5 { get; }
    [Categorical(Column = 5, Cardinality = 24)] public partial EmbeddingTable C6 { get; }
    [Categorical(Column = 6, Cardinality = 12_517)] public partial EmbeddingTable C7 { get; }
    [Categorical(Column = 7, Cardinality = 633)] public partial EmbeddingTable C8 { get; }
    [Categorical(Column = 8, Cardinality = 3)] public partial EmbeddingTable C9 { get; }
    [Categorical(Column = 9, Cardinality = 93_145)] public partial EmbeddingTable C10 { get; }
    [Categorical(Column = 10, Cardinality = 5_683)] public partial EmbeddingTable C11 { get; }
    [Categorical(Column = 11, Cardinality = 8_351_593)] public partial EmbeddingTable C12 { get; }
    [Categorical(Column = 12, Cardinality = 3_194)] public partial EmbeddingTable C13 { get; }
    [Categorical(Column = 13, Cardinality = 27)] public partial EmbeddingTable C14 { get; }
    [Categorical(Column = 14, Cardinality = 14_992)] public partial EmbeddingTable C15 { get; }
    [Categorical(Column = 15, Cardinality = 5_461_306)] public partial EmbeddingTable C16 { get; }
    [Categorical(Column = 16, Cardinality = 10)] public partial EmbeddingTable C17 { get; }
    [Categorical(Column = 17, Cardinality = 5_652)] public partial EmbeddingTable C18 { get; }
    [Categorical(Column = 18, Cardinality = 2_173)] public partial EmbeddingTable C19 { get; }
    [Categorical(Column = 19, Cardinality = 4)] public partial EmbeddingTable C20 { get; }
    [Categorical(Column = 20, Cardinality = 7_046_547)] public partial EmbeddingTable C21 { get; }
    [Categorical(Column = 21, Cardinality = 18)] public partial EmbeddingTable C22 { get; }
    [Categorical(Column = 22, Cardinality = 15)] public partial EmbeddingTable C23 { get; }
    [Categorical(Column = 23, Cardinality = 286_181)] public partial EmbeddingTable C24 { get; }
    [Categorical(Column = 24, Cardinality = 105)] public partial EmbeddingTable C25 { get; }
    [Categorical(Column = 25, Cardinality = 142_572)] public partial EmbeddingTable C26 { get; }
}
