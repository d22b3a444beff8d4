using System.Collections.Immutable;

namespace RobeGen.Tests.TestModels;

/// <summary>One categorical table of a hand-built test model.</summary>
internal sealed record TestTable(long Cardinality, EmbeddingStorage Storage = EmbeddingStorage.Robe, long Rows = 0);

/// <summary>
/// A model definition built in code (what the generator will emit for a declaration), with the slow reference
/// embedding kernels. Lets the backends be tested on any shape without a declaration.
/// </summary>
internal sealed class TestModel : IDlrmDefinition
{
    private TestModel(ModelDeclaration declaration)
    {
        Declaration = declaration;
    }

    public ModelDeclaration Declaration { get; }
    public IEmbeddingKernels Embedding { get; } = new ReferenceEmbeddingKernels();
    public IGpuEmbeddingKernels GpuEmbedding => throw new NotSupportedException("Test models have no GPU kernels.");

    public static TestModel Create(int denseFeatures, int dim, int[] bottom, int[] top, TestTable[] tables,
        long slots, int blockSize, RobeVariant variant = RobeVariant.Authors, TokenKind tokens = TokenKind.Vocabulary,
        string name = "TestModel", InteractionKind interaction = InteractionKind.Dot, int crossLayers = 0, int crossRank = 0)
    {
        var built = ImmutableArray.CreateBuilder<EmbeddingTable>();
        ulong offset = 0;
        for (int t = 0; t < tables.Length; t++)
        {
            ulong tokenOffset = tokens == TokenKind.Vocabulary ? offset : (ulong)t << EmbeddingTable.RawTokenTableShift;
            built.Add(new EmbeddingTable($"C{t + 1}", t, t, tables[t].Cardinality, tables[t].Storage, tables[t].Rows, tokenOffset));
            offset += (ulong)tables[t].Cardinality;
        }
        return new TestModel(new ModelDeclaration(name, denseFeatures, dim, [.. bottom], [.. top], tokens, slots, blockSize,
            variant, built.ToImmutable(), fingerprint: name, interaction, crossLayers, crossRank));
    }

    /// <summary>A small model whose ROBE array is so small that many reads share slots.</summary>
    /// Tables 0 and 2 take <paramref name="storage"/>: Hashed into 3 and 4 rows, or QuotientRemainder with R = 3 and 4
    /// (Q = 3 and 3: rows shared by several ids, and table 2 addresses 12 ids for its 9).
    /// With an <paramref name="interaction"/> other than Dot the top MLP reads D = d (T+1) = 16 features.
    public static TestModel Tiny(RobeVariant variant = RobeVariant.Authors, EmbeddingStorage storage = EmbeddingStorage.Robe,
        long slots = 11, int blockSize = 2, InteractionKind interaction = InteractionKind.Dot, int crossLayers = 0, int crossRank = 0)
    {
        long Rows(long rows) => storage is EmbeddingStorage.Hashed or EmbeddingStorage.QuotientRemainder ? rows : 0;
        return Create(denseFeatures: 3, dim: 4, bottom: [5, 4], top: [6], variant: variant, slots: slots, blockSize: blockSize,
            tables: [new(7, storage, Rows(3)), new(5), new(9, storage, Rows(4))],
            interaction: interaction, crossLayers: crossLayers, crossRank: crossRank);
    }

    /// <summary>Kaggle-like (26 tables, raw ids) but narrow enough for fast tests.</summary>
    public static readonly TestModel KaggleSmall =
        Create(denseFeatures: 13, dim: 8, bottom: [32, 8], top: [24], slots: 5_000, blockSize: 4, tokens: TokenKind.RawId,
            name: "KaggleSmall", tables: Enumerable.Range(0, 26).Select(_ => new TestTable(0)).ToArray());

    /// <summary>The Criteo Kaggle shape of the paper's DLRM config: dim 16, bottom 13-512-256-64-16, top 367-512-256-1,
    /// the 26 Kaggle cardinalities, ROBE m = 540,000, Z = 4, raw 32-bit tokens.</summary>
    public static TestModel KaggleShaped() =>
        Create(denseFeatures: 13, dim: 16, bottom: [512, 256, 64, 16], top: [512, 256], slots: 540_000, blockSize: 4,
            tokens: TokenKind.RawId, name: "KaggleShaped",
            tables: new long[] { 1460, 583, 10131227, 2202608, 305, 24, 12517, 633, 3, 93145, 5683, 8351593, 3194, 27,
                14992, 5461306, 10, 5652, 2173, 4, 7046547, 18, 15, 286181, 105, 142572 }.Select(c => new TestTable(c)).ToArray());
}
