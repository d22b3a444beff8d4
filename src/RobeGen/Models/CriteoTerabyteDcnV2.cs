namespace RobeGen.Models;

/// <summary>
/// The MLPerf training DLRM-DCNv2 sizes (mlcommons/training recommendation_v2, TorchRec's DLRM_DCN): dimension 128,
/// bottom MLP 512-256-128, three low-rank DCNv2 cross layers of rank 512 on the 27 x 128 = 3,456 features
/// [u, E_1, .., E_26], top MLP 1024-1024-512-256, the MLPerf cardinalities (Criteo 1TB's capped at 40,000,000). The
/// embeddings share a ROBE array of 26,135,627 slots read in blocks of 32: 1000x fewer floats than the 204,184,588
/// rows x 128 of full tables.
/// </summary>
/// <remarks>
/// Single-hot: one id per feature, on the Criteo layout (the TSV holds one id per cell). MLPerf's DLRM-DCNv2 trains on a
/// multi-hot Criteo 1TB (bags of 1 to 100 ids per feature, pooled by sum): that is <see cref="CriteoTerabyteDcnV2MultiHot"/>,
/// the same sizes on named list columns; this is the model on the single-hot data.
/// Tokens are vocabulary indices, offset by the earlier tables' cardinalities as in <see cref="CriteoTerabyte"/>.
/// The cross layers train on the CPU backend and, in FP32, TF32 and BF16, on CUDA (docs/model-math.md, "Where each interaction runs").
/// </remarks>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 128, BottomMlp = new[] { 512, 256, 128 }, TopMlp = new[] { 1024, 1024, 512, 256 },
      Tokens = TokenKind.Vocabulary, Interaction = InteractionKind.DcnV2, CrossLayers = 3, CrossRank = 512)]
[RobeArray(Slots = 26_135_627, BlockSize = 32)]
public partial class CriteoTerabyteDcnV2
{
    /// <summary>The table of the Criteo column C1.</summary>
    [Categorical(Column = 0, Cardinality = 40_000_000)] public partial EmbeddingTable C1 { get; }
    /// <summary>The table of the Criteo column C2.</summary>
    [Categorical(Column = 1, Cardinality = 39_060)] public partial EmbeddingTable C2 { get; }
    /// <summary>The table of the Criteo column C3.</summary>
    [Categorical(Column = 2, Cardinality = 17_295)] public partial EmbeddingTable C3 { get; }
    /// <summary>The table of the Criteo column C4.</summary>
    [Categorical(Column = 3, Cardinality = 7_424)] public partial EmbeddingTable C4 { get; }
    /// <summary>The table of the Criteo column C5.</summary>
    [Categorical(Column = 4, Cardinality = 20_265)] public partial EmbeddingTable C5 { get; }
    /// <summary>The table of the Criteo column C6.</summary>
    [Categorical(Column = 5, Cardinality = 3)] public partial EmbeddingTable C6 { get; }
    /// <summary>The table of the Criteo column C7.</summary>
    [Categorical(Column = 6, Cardinality = 7_122)] public partial EmbeddingTable C7 { get; }
    /// <summary>The table of the Criteo column C8.</summary>
    [Categorical(Column = 7, Cardinality = 1_543)] public partial EmbeddingTable C8 { get; }
    /// <summary>The table of the Criteo column C9.</summary>
    [Categorical(Column = 8, Cardinality = 63)] public partial EmbeddingTable C9 { get; }
    /// <summary>The table of the Criteo column C10.</summary>
    [Categorical(Column = 9, Cardinality = 40_000_000)] public partial EmbeddingTable C10 { get; }
    /// <summary>The table of the Criteo column C11.</summary>
    [Categorical(Column = 10, Cardinality = 3_067_956)] public partial EmbeddingTable C11 { get; }
    /// <summary>The table of the Criteo column C12.</summary>
    [Categorical(Column = 11, Cardinality = 405_282)] public partial EmbeddingTable C12 { get; }
    /// <summary>The table of the Criteo column C13.</summary>
    [Categorical(Column = 12, Cardinality = 10)] public partial EmbeddingTable C13 { get; }
    /// <summary>The table of the Criteo column C14.</summary>
    [Categorical(Column = 13, Cardinality = 2_209)] public partial EmbeddingTable C14 { get; }
    /// <summary>The table of the Criteo column C15.</summary>
    [Categorical(Column = 14, Cardinality = 11_938)] public partial EmbeddingTable C15 { get; }
    /// <summary>The table of the Criteo column C16.</summary>
    [Categorical(Column = 15, Cardinality = 155)] public partial EmbeddingTable C16 { get; }
    /// <summary>The table of the Criteo column C17.</summary>
    [Categorical(Column = 16, Cardinality = 4)] public partial EmbeddingTable C17 { get; }
    /// <summary>The table of the Criteo column C18.</summary>
    [Categorical(Column = 17, Cardinality = 976)] public partial EmbeddingTable C18 { get; }
    /// <summary>The table of the Criteo column C19.</summary>
    [Categorical(Column = 18, Cardinality = 14)] public partial EmbeddingTable C19 { get; }
    /// <summary>The table of the Criteo column C20.</summary>
    [Categorical(Column = 19, Cardinality = 40_000_000)] public partial EmbeddingTable C20 { get; }
    /// <summary>The table of the Criteo column C21.</summary>
    [Categorical(Column = 20, Cardinality = 40_000_000)] public partial EmbeddingTable C21 { get; }
    /// <summary>The table of the Criteo column C22.</summary>
    [Categorical(Column = 21, Cardinality = 40_000_000)] public partial EmbeddingTable C22 { get; }
    /// <summary>The table of the Criteo column C23.</summary>
    [Categorical(Column = 22, Cardinality = 590_152)] public partial EmbeddingTable C23 { get; }
    /// <summary>The table of the Criteo column C24.</summary>
    [Categorical(Column = 23, Cardinality = 12_973)] public partial EmbeddingTable C24 { get; }
    /// <summary>The table of the Criteo column C25.</summary>
    [Categorical(Column = 24, Cardinality = 108)] public partial EmbeddingTable C25 { get; }
    /// <summary>The table of the Criteo column C26.</summary>
    [Categorical(Column = 25, Cardinality = 36)] public partial EmbeddingTable C26 { get; }
}
