namespace RobeGen.Models;

/// <summary>
/// The stock DLRM configuration for the Criteo Kaggle display-advertising data set (13 dense and 26 categorical
/// columns), with its embedding tables compressed about 1000x into one ROBE array.
/// </summary>
/// <remarks>
/// The 26 tables would hold 33,762,577 rows x 16 floats = 540.2 M floats; 1000x of that is 540,201 floats, and the
/// paper's round 540,000 (2.2 MB) is used. Z = 4: a 16-wide embedding is read as four blocks of four consecutive
/// slots, so each lookup touches four cache-friendly runs instead of sixteen scattered floats (Z = 1) while the
/// blocks of one token still land at independent offsets (Z = 16 would share one offset for the whole vector).
/// Tokens are raw ids: Criteo's 32-bit hex hashes are used as they are, with no vocabulary pass over the data.
/// </remarks>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 16, BottomMlp = new[] { 512, 256, 64, 16 }, TopMlp = new[] { 512, 256 }, Tokens = TokenKind.RawId)]
[RobeArray(Slots = 540_000, BlockSize = 4)]
public partial class CriteoKaggle
{
    /// <summary>The table of the Criteo column C1.</summary>
    [Categorical(Column = 0, Cardinality = 1_460)] public partial EmbeddingTable C1 { get; }
    /// <summary>The table of the Criteo column C2.</summary>
    [Categorical(Column = 1, Cardinality = 583)] public partial EmbeddingTable C2 { get; }
    /// <summary>The table of the Criteo column C3.</summary>
    [Categorical(Column = 2, Cardinality = 10_131_227)] public partial EmbeddingTable C3 { get; }
    /// <summary>The table of the Criteo column C4.</summary>
    [Categorical(Column = 3, Cardinality = 2_202_608)] public partial EmbeddingTable C4 { get; }
    /// <summary>The table of the Criteo column C5.</summary>
    [Categorical(Column = 4, Cardinality = 305)] public partial EmbeddingTable C5 { get; }
    /// <summary>The table of the Criteo column C6.</summary>
    [Categorical(Column = 5, Cardinality = 24)] public partial EmbeddingTable C6 { get; }
    /// <summary>The table of the Criteo column C7.</summary>
    [Categorical(Column = 6, Cardinality = 12_517)] public partial EmbeddingTable C7 { get; }
    /// <summary>The table of the Criteo column C8.</summary>
    [Categorical(Column = 7, Cardinality = 633)] public partial EmbeddingTable C8 { get; }
    /// <summary>The table of the Criteo column C9.</summary>
    [Categorical(Column = 8, Cardinality = 3)] public partial EmbeddingTable C9 { get; }
    /// <summary>The table of the Criteo column C10.</summary>
    [Categorical(Column = 9, Cardinality = 93_145)] public partial EmbeddingTable C10 { get; }
    /// <summary>The table of the Criteo column C11.</summary>
    [Categorical(Column = 10, Cardinality = 5_683)] public partial EmbeddingTable C11 { get; }
    /// <summary>The table of the Criteo column C12.</summary>
    [Categorical(Column = 11, Cardinality = 8_351_593)] public partial EmbeddingTable C12 { get; }
    /// <summary>The table of the Criteo column C13.</summary>
    [Categorical(Column = 12, Cardinality = 3_194)] public partial EmbeddingTable C13 { get; }
    /// <summary>The table of the Criteo column C14.</summary>
    [Categorical(Column = 13, Cardinality = 27)] public partial EmbeddingTable C14 { get; }
    /// <summary>The table of the Criteo column C15.</summary>
    [Categorical(Column = 14, Cardinality = 14_992)] public partial EmbeddingTable C15 { get; }
    /// <summary>The table of the Criteo column C16.</summary>
    [Categorical(Column = 15, Cardinality = 5_461_306)] public partial EmbeddingTable C16 { get; }
    /// <summary>The table of the Criteo column C17.</summary>
    [Categorical(Column = 16, Cardinality = 10)] public partial EmbeddingTable C17 { get; }
    /// <summary>The table of the Criteo column C18.</summary>
    [Categorical(Column = 17, Cardinality = 5_652)] public partial EmbeddingTable C18 { get; }
    /// <summary>The table of the Criteo column C19.</summary>
    [Categorical(Column = 18, Cardinality = 2_173)] public partial EmbeddingTable C19 { get; }
    /// <summary>The table of the Criteo column C20.</summary>
    [Categorical(Column = 19, Cardinality = 4)] public partial EmbeddingTable C20 { get; }
    /// <summary>The table of the Criteo column C21.</summary>
    [Categorical(Column = 20, Cardinality = 7_046_547)] public partial EmbeddingTable C21 { get; }
    /// <summary>The table of the Criteo column C22.</summary>
    [Categorical(Column = 21, Cardinality = 18)] public partial EmbeddingTable C22 { get; }
    /// <summary>The table of the Criteo column C23.</summary>
    [Categorical(Column = 22, Cardinality = 15)] public partial EmbeddingTable C23 { get; }
    /// <summary>The table of the Criteo column C24.</summary>
    [Categorical(Column = 23, Cardinality = 286_181)] public partial EmbeddingTable C24 { get; }
    /// <summary>The table of the Criteo column C25.</summary>
    [Categorical(Column = 24, Cardinality = 105)] public partial EmbeddingTable C25 { get; }
    /// <summary>The table of the Criteo column C26.</summary>
    [Categorical(Column = 25, Cardinality = 142_572)] public partial EmbeddingTable C26 { get; }
}
