namespace RobeGen.Models;

/// <summary>
/// The MLPerf DLRM configuration for Criteo Terabyte as the ROBE paper trains it: dimension 128, a
/// 27,000,000-slot ROBE array (108 MB, about 1000x smaller than the 96 GB of full tables) read in blocks of 32.
/// </summary>
/// <remarks>
/// Tokens are vocabulary indices and each table's are offset by the cardinalities of the tables before it
/// (xg = x + offset), exactly as the authors' code does, so table 0 token 0 is xg 0 and table 1 token 0 is
/// xg 39,884,406: the spec's golden values hold for this declaration.
/// </remarks>
[Dlrm(DenseFeatures = 13, EmbeddingDim = 128, BottomMlp = new[] { 512, 256, 128 }, TopMlp = new[] { 1024, 1024, 512, 256 }, Tokens = TokenKind.Vocabulary)]
[RobeArray(Slots = 27_000_000, BlockSize = 32)]
public partial class CriteoTerabyte
{
    /// <summary>The table of the Criteo column C1.</summary>
    [Categorical(Column = 0, Cardinality = 39_884_406)] public partial EmbeddingTable C1 { get; }
    /// <summary>The table of the Criteo column C2.</summary>
    [Categorical(Column = 1, Cardinality = 39_043)] public partial EmbeddingTable C2 { get; }
    /// <summary>The table of the Criteo column C3.</summary>
    [Categorical(Column = 2, Cardinality = 17_289)] public partial EmbeddingTable C3 { get; }
    /// <summary>The table of the Criteo column C4.</summary>
    [Categorical(Column = 3, Cardinality = 7_420)] public partial EmbeddingTable C4 { get; }
    /// <summary>The table of the Criteo column C5.</summary>
    [Categorical(Column = 4, Cardinality = 20_263)] public partial EmbeddingTable C5 { get; }
    /// <summary>The table of the Criteo column C6.</summary>
    [Categorical(Column = 5, Cardinality = 3)] public partial EmbeddingTable C6 { get; }
    /// <summary>The table of the Criteo column C7.</summary>
    [Categorical(Column = 6, Cardinality = 7_120)] public partial EmbeddingTable C7 { get; }
    /// <summary>The table of the Criteo column C8.</summary>
    [Categorical(Column = 7, Cardinality = 1_543)] public partial EmbeddingTable C8 { get; }
    /// <summary>The table of the Criteo column C9.</summary>
    [Categorical(Column = 8, Cardinality = 63)] public partial EmbeddingTable C9 { get; }
    /// <summary>The table of the Criteo column C10.</summary>
    [Categorical(Column = 9, Cardinality = 38_532_951)] public partial EmbeddingTable C10 { get; }
    /// <summary>The table of the Criteo column C11.</summary>
    [Categorical(Column = 10, Cardinality = 2_953_546)] public partial EmbeddingTable C11 { get; }
    /// <summary>The table of the Criteo column C12.</summary>
    [Categorical(Column = 11, Cardinality = 403_346)] public partial EmbeddingTable C12 { get; }
    /// <summary>The table of the Criteo column C13.</summary>
    [Categorical(Column = 12, Cardinality = 10)] public partial EmbeddingTable C13 { get; }
    /// <summary>The table of the Criteo column C14.</summary>
    [Categorical(Column = 13, Cardinality = 2_208)] public partial EmbeddingTable C14 { get; }
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
    [Categorical(Column = 19, Cardinality = 39_979_771)] public partial EmbeddingTable C20 { get; }
    /// <summary>The table of the Criteo column C21.</summary>
    [Categorical(Column = 20, Cardinality = 25_641_295)] public partial EmbeddingTable C21 { get; }
    /// <summary>The table of the Criteo column C22.</summary>
    [Categorical(Column = 21, Cardinality = 39_664_984)] public partial EmbeddingTable C22 { get; }
    /// <summary>The table of the Criteo column C23.</summary>
    [Categorical(Column = 22, Cardinality = 585_935)] public partial EmbeddingTable C23 { get; }
    /// <summary>The table of the Criteo column C24.</summary>
    [Categorical(Column = 23, Cardinality = 12_972)] public partial EmbeddingTable C24 { get; }
    /// <summary>The table of the Criteo column C25.</summary>
    [Categorical(Column = 24, Cardinality = 108)] public partial EmbeddingTable C25 { get; }
    /// <summary>The table of the Criteo column C26.</summary>
    [Categorical(Column = 25, Cardinality = 36)] public partial EmbeddingTable C26 { get; }
}
