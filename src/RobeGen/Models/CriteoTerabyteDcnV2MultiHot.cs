namespace RobeGen.Models;

/// <summary>
/// MLPerf training's DLRM-DCNv2 as MLPerf trains it: on the multi-hot Criteo 1TB, where each of the 26 categorical
/// features of a sample is a bag of a fixed number of ids (3, 2, 1, 2, 6, 1, 1, 1, 1, 7, 3, 8, 1, 6, 9, 5, 1, 1, 1, 12, 100,
/// 27, 10, 3, 1, 1: 214 ids per sample), each bag pooled by sum. The sizes are <see cref="CriteoTerabyteDcnV2"/>'s: dimension
/// 128, bottom MLP 512-256-128, three low-rank DCNv2 cross layers of rank 512 on [u, E_1, .., E_26], top MLP
/// 1024-1024-512-256, the MLPerf cardinalities (capped at 40,000,000), and the same ROBE array of 26,135,627 slots in blocks
/// of 32: the 204,184,588 rows x 128 of full tables / 1000, the cardinalities (not the hotness) setting the size.
/// </summary>
/// <remarks>
/// Sources: mlcommons/training recommendation_v2/torchrec_dlrm (materialize_synthetic_multihot_dataset.py run with
/// --multi_hot_sizes 3,2,1,2,6,1,1,1,1,7,3,8,1,6,9,5,1,1,1,12,100,27,10,3,1,1 --multi_hot_distribution_type uniform and
/// --num_embeddings_per_feature as here), TorchRec's examples/dlrm/dlrm_main.py (--dense_arch_layer_sizes 512,256,128
/// --over_arch_layer_sizes 1024,1024,512,256,1 --interaction_type dcn --dcn_num_layers 3 --dcn_low_rank_dim 512), and
/// tests/RobeGen.Benchmarks/pytorch/dlrm_baseline.py's "CriteoTerabyteDcnV2", which this model is benchmarked against.
/// <para>
/// Named columns (label, I1..I13, C1..C26), because a Criteo-layout column holds one id per cell (RG0044): Parquet with
/// a LIST column per C feature (MLPerf's multi-hot arrays written as lists), or CSV with '|'-separated list cells
/// (<c>robegen synth --model criteo-terabyte-dcnv2-multihot</c>), reads into it. The Parquet of <c>robegen convert</c>
/// holds one id per C cell, so its reader refuses it here; <see cref="CriteoTerabyteDcnV2"/> reads that one. Every table is Pooling.Sum, the hotness-1 ones too:
/// in a multi-hot model every cell is a bag anyway, MLPerf's data stores those features as lists of one id, and the sum of
/// one id is that id's embedding, so they compute what a single-hot table would. Hotness is what synthetic data and
/// <c>robegen bench</c> draw; real data may hold any number of ids per cell.
/// </para>
/// <para>
/// Tokens are vocabulary indices, offset by the earlier tables' cardinalities as in <see cref="CriteoTerabyte"/>: MLPerf's
/// preprocessed ids are already indices below each cardinality, and training counts a vocabulary of every column
/// (every id of every bag) first, as for the single-hot model.
/// </para>
/// </remarks>
[Dlrm(Label = "label", EmbeddingDim = 128, BottomMlp = new[] { 512, 256, 128 }, TopMlp = new[] { 1024, 1024, 512, 256 },
      Tokens = TokenKind.Vocabulary, Interaction = InteractionKind.DcnV2, CrossLayers = 3, CrossRank = 512)]
[Dense("I1", Transform = DenseTransform.Log1p)]
[Dense("I2", Transform = DenseTransform.Log1p)]
[Dense("I3", Transform = DenseTransform.Log1p)]
[Dense("I4", Transform = DenseTransform.Log1p)]
[Dense("I5", Transform = DenseTransform.Log1p)]
[Dense("I6", Transform = DenseTransform.Log1p)]
[Dense("I7", Transform = DenseTransform.Log1p)]
[Dense("I8", Transform = DenseTransform.Log1p)]
[Dense("I9", Transform = DenseTransform.Log1p)]
[Dense("I10", Transform = DenseTransform.Log1p)]
[Dense("I11", Transform = DenseTransform.Log1p)]
[Dense("I12", Transform = DenseTransform.Log1p)]
[Dense("I13", Transform = DenseTransform.Log1p)]
[RobeArray(Slots = 26_135_627, BlockSize = 32)]
public partial class CriteoTerabyteDcnV2MultiHot
{
    /// <summary>The bag of column C1: 3 ids per sample in MLPerf's data.</summary>
    [Categorical("C1", Cardinality = 40_000_000, Pooling = Pooling.Sum, Hotness = 3)] public partial EmbeddingTable C1 { get; }
    /// <summary>The bag of column C2: 2 ids per sample in MLPerf's data.</summary>
    [Categorical("C2", Cardinality = 39_060, Pooling = Pooling.Sum, Hotness = 2)] public partial EmbeddingTable C2 { get; }
    /// <summary>The bag of column C3: 1 id per sample in MLPerf's data.</summary>
    [Categorical("C3", Cardinality = 17_295, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C3 { get; }
    /// <summary>The bag of column C4: 2 ids per sample in MLPerf's data.</summary>
    [Categorical("C4", Cardinality = 7_424, Pooling = Pooling.Sum, Hotness = 2)] public partial EmbeddingTable C4 { get; }
    /// <summary>The bag of column C5: 6 ids per sample in MLPerf's data.</summary>
    [Categorical("C5", Cardinality = 20_265, Pooling = Pooling.Sum, Hotness = 6)] public partial EmbeddingTable C5 { get; }
    /// <summary>The bag of column C6: 1 id per sample in MLPerf's data.</summary>
    [Categorical("C6", Cardinality = 3, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C6 { get; }
    /// <summary>The bag of column C7: 1 id per sample in MLPerf's data.</summary>
    [Categorical("C7", Cardinality = 7_122, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C7 { get; }
    /// <summary>The bag of column C8: 1 id per sample in MLPerf's data.</summary>
    [Categorical("C8", Cardinality = 1_543, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C8 { get; }
    /// <summary>The bag of column C9: 1 id per sample in MLPerf's data.</summary>
    [Categorical("C9", Cardinality = 63, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C9 { get; }
    /// <summary>The bag of column C10: 7 ids per sample in MLPerf's data.</summary>
    [Categorical("C10", Cardinality = 40_000_000, Pooling = Pooling.Sum, Hotness = 7)] public partial EmbeddingTable C10 { get; }
    /// <summary>The bag of column C11: 3 ids per sample in MLPerf's data.</summary>
    [Categorical("C11", Cardinality = 3_067_956, Pooling = Pooling.Sum, Hotness = 3)] public partial EmbeddingTable C11 { get; }
    /// <summary>The bag of column C12: 8 ids per sample in MLPerf's data.</summary>
    [Categorical("C12", Cardinality = 405_282, Pooling = Pooling.Sum, Hotness = 8)] public partial EmbeddingTable C12 { get; }
    /// <summary>The bag of column C13: 1 id per sample in MLPerf's data.</summary>
    [Categorical("C13", Cardinality = 10, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C13 { get; }
    /// <summary>The bag of column C14: 6 ids per sample in MLPerf's data.</summary>
    [Categorical("C14", Cardinality = 2_209, Pooling = Pooling.Sum, Hotness = 6)] public partial EmbeddingTable C14 { get; }
    /// <summary>The bag of column C15: 9 ids per sample in MLPerf's data.</summary>
    [Categorical("C15", Cardinality = 11_938, Pooling = Pooling.Sum, Hotness = 9)] public partial EmbeddingTable C15 { get; }
    /// <summary>The bag of column C16: 5 ids per sample in MLPerf's data.</summary>
    [Categorical("C16", Cardinality = 155, Pooling = Pooling.Sum, Hotness = 5)] public partial EmbeddingTable C16 { get; }
    /// <summary>The bag of column C17: 1 id per sample in MLPerf's data.</summary>
    [Categorical("C17", Cardinality = 4, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C17 { get; }
    /// <summary>The bag of column C18: 1 id per sample in MLPerf's data.</summary>
    [Categorical("C18", Cardinality = 976, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C18 { get; }
    /// <summary>The bag of column C19: 1 id per sample in MLPerf's data.</summary>
    [Categorical("C19", Cardinality = 14, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C19 { get; }
    /// <summary>The bag of column C20: 12 ids per sample in MLPerf's data.</summary>
    [Categorical("C20", Cardinality = 40_000_000, Pooling = Pooling.Sum, Hotness = 12)] public partial EmbeddingTable C20 { get; }
    /// <summary>The bag of column C21: 100 ids per sample in MLPerf's data.</summary>
    [Categorical("C21", Cardinality = 40_000_000, Pooling = Pooling.Sum, Hotness = 100)] public partial EmbeddingTable C21 { get; }
    /// <summary>The bag of column C22: 27 ids per sample in MLPerf's data.</summary>
    [Categorical("C22", Cardinality = 40_000_000, Pooling = Pooling.Sum, Hotness = 27)] public partial EmbeddingTable C22 { get; }
    /// <summary>The bag of column C23: 10 ids per sample in MLPerf's data.</summary>
    [Categorical("C23", Cardinality = 590_152, Pooling = Pooling.Sum, Hotness = 10)] public partial EmbeddingTable C23 { get; }
    /// <summary>The bag of column C24: 3 ids per sample in MLPerf's data.</summary>
    [Categorical("C24", Cardinality = 12_973, Pooling = Pooling.Sum, Hotness = 3)] public partial EmbeddingTable C24 { get; }
    /// <summary>The bag of column C25: 1 id per sample in MLPerf's data.</summary>
    [Categorical("C25", Cardinality = 108, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C25 { get; }
    /// <summary>The bag of column C26: 1 id per sample in MLPerf's data.</summary>
    [Categorical("C26", Cardinality = 36, Pooling = Pooling.Sum, Hotness = 1)] public partial EmbeddingTable C26 { get; }
}
