using RobeGen.Models;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Embedding;

/// <summary>The generated constants, tables and declaration agree with the runtime's own computations.</summary>
public sealed class GeneratedDeclarationTests
{
    [Fact]
    public void CriteoKaggle_constants_match_the_runtime_layout()
    {
        ModelDeclaration d = CriteoKaggle.Declaration;
        ModelSize size = EmbeddingLayout.FromDeclaration(d).Size;
        Assert.Equal(CriteoKaggle.ParameterCount, size.Parameters);
        Assert.Equal(CriteoKaggle.ParameterBytes, size.Bytes);
        Assert.Equal(CriteoKaggle.CompressionRatio, size.CompressionRatio);
        Assert.Equal(CriteoKaggle.FullTableParameterCount, d.FullTableParameterCount);
        Assert.Equal(33_762_577L * 16, CriteoKaggle.FullTableParameterCount);
        Assert.Equal(540_000, CriteoKaggle.RobeSlots);
        Assert.Equal(4, CriteoKaggle.RobeBlocks);
        Assert.Equal(26, CriteoKaggle.TableCount);
        Assert.Equal(new[] { 512, 256, 64, 16 }, CriteoKaggle.BottomMlp.ToArray());
        Assert.Equal(d.BottomMlp, CriteoKaggle.BottomMlp.ToArray());
        Assert.Equal(d.TopMlp, CriteoKaggle.TopMlp.ToArray());
        Assert.Equal(16 + 27 * 26 / 2, d.TopInputWidth);
        Assert.Equal(CriteoKaggle.Fingerprint, d.Fingerprint);
        Assert.Equal("RobeGen.Models.CriteoKaggle", d.Name);
        Assert.Equal(TokenKind.RawId, d.Tokens);
    }

    [Fact]
    public void CriteoTerabyte_constants_match_the_runtime_layout()
    {
        ModelDeclaration d = CriteoTerabyte.Declaration;
        ModelSize size = EmbeddingLayout.FromDeclaration(d).Size;
        Assert.Equal(CriteoTerabyte.ParameterCount, size.Parameters);
        Assert.Equal(CriteoTerabyte.CompressionRatio, size.CompressionRatio);
        Assert.Equal(187_767_399L * 128, CriteoTerabyte.FullTableParameterCount);
        Assert.Equal(new[] { 1024, 1024, 512, 256 }, CriteoTerabyte.TopMlp.ToArray());
        Assert.Equal(CriteoTerabyte.Fingerprint, d.Fingerprint);
        Assert.Equal(TokenKind.Vocabulary, d.Tokens);
        Assert.Equal(32, d.BlockSize);
    }

    [Fact]
    public void CriteoTerabyteDcnV2_has_the_mlperf_sizes_at_1000x()
    {
        ModelDeclaration d = CriteoTerabyteDcnV2.Declaration;
        ModelSize size = EmbeddingLayout.FromDeclaration(d).Size;
        Assert.Equal(CriteoTerabyteDcnV2.ParameterCount, size.Parameters);
        Assert.Equal(204_184_588L * 128, CriteoTerabyteDcnV2.FullTableParameterCount);
        Assert.Equal(1000.0, CriteoTerabyteDcnV2.CompressionRatio, 0.01);
        Assert.Equal((InteractionKind.DcnV2, 3, 512), (d.Interaction, d.CrossLayers, d.CrossRank));
        Assert.Equal(27 * 128, d.TopInputWidth);
        Assert.Equal(3 * (2L * 3456 * 512 + 3456), d.CrossParameterCount);
        Assert.Equal(new[] { 512, 256, 128 }, CriteoTerabyteDcnV2.BottomMlp.ToArray());
        Assert.Equal(new[] { 1024, 1024, 512, 256 }, CriteoTerabyteDcnV2.TopMlp.ToArray());
        Assert.Equal(40_000_000, d.Tables.Max(t => t.Cardinality));
        Assert.Same(CriteoTerabyteDcnV2.Definition, ModelCatalog.Get("criteo-terabyte-dcnv2"));
    }

    [Fact]
    public void CriteoTerabyteDcnV2MultiHot_is_the_single_hot_model_with_mlperfs_bags_on_named_columns()
    {
        ModelDeclaration multiHot = CriteoTerabyteDcnV2MultiHot.Declaration, singleHot = CriteoTerabyteDcnV2.Declaration;
        // mlcommons/training recommendation_v2: --multi_hot_sizes, one per table C1..C26.
        Assert.Equal(new[] { 3, 2, 1, 2, 6, 1, 1, 1, 1, 7, 3, 8, 1, 6, 9, 5, 1, 1, 1, 12, 100, 27, 10, 3, 1, 1 }, multiHot.Tables.Select(t => t.Hotness));
        Assert.Equal(214, multiHot.IdsPerSample);
        Assert.Equal(26, singleHot.IdsPerSample);
        Assert.Equal(26, multiHot.TableCount);
        Assert.All(multiHot.Tables, t => Assert.Equal(Pooling.Sum, t.Pooling));
        Assert.True(multiHot.NamedColumns);
        Assert.Equal("label", multiHot.LabelColumn);
        Assert.Equal(Enumerable.Range(1, 13).Select(j => $"I{j}"), multiHot.DenseColumns.Select(c => c.Name));
        Assert.All(multiHot.DenseColumns, c => Assert.Equal(DenseTransform.Log1p, c.Transform));
        Assert.Equal(Enumerable.Range(1, 26).Select(c => $"C{c}"), multiHot.Tables.Select(t => t.ColumnName));
        // Everything else is the single-hot model's: sizes, cardinalities, token offsets, ROBE array, cross layers.
        Assert.Equal(singleHot.Tables.Select(t => (t.Cardinality, t.TokenOffset)), multiHot.Tables.Select(t => (t.Cardinality, t.TokenOffset)));
        Assert.Equal((singleHot.RobeSlots, singleHot.BlockSize, singleHot.Tokens), (multiHot.RobeSlots, multiHot.BlockSize, multiHot.Tokens));
        Assert.Equal((InteractionKind.DcnV2, 3, 512), (multiHot.Interaction, multiHot.CrossLayers, multiHot.CrossRank));
        Assert.Equal(singleHot.DenseFeatures, multiHot.DenseFeatures);
        Assert.Equal(singleHot.TopInputWidth, multiHot.TopInputWidth);
        Assert.Equal(CriteoTerabyteDcnV2.ParameterCount, CriteoTerabyteDcnV2MultiHot.ParameterCount);
        Assert.Equal(1000.0, CriteoTerabyteDcnV2MultiHot.CompressionRatio, 0.01);
        Assert.Same(CriteoTerabyteDcnV2MultiHot.Definition, ModelCatalog.Get("criteo-terabyte-dcnv2-multihot"));
    }

    [Fact]
    public void Test_models_with_Full_and_Hashed_tables_count_their_rows()
    {
        ModelSize size = EmbeddingLayout.FromDeclaration(SmallAuthors.Declaration).Size;
        Assert.Equal(SmallAuthors.ParameterCount, size.Parameters);
        Assert.Equal(97 + (50 + 7) * 20, size.EmbeddingParameters);
        Assert.Equal(SmallAuthors.CompressionRatio, size.CompressionRatio);
    }

    [Fact]
    public void Interaction_models_count_their_top_input_and_cross_layers()
    {
        // D = 20 * 5 = 100; top.0 reads D; low rank: 2 layers of U, V [100 x 7] and a bias; full rank: 3 of W [100 x 100] and a bias.
        foreach (ModelDeclaration d in new[] { SmallCat.Declaration, SmallDcnLowRank.Declaration, SmallDcnFullRank.Declaration })
            Assert.Equal(100, d.TopInputWidth);
        Assert.Equal(0, SmallCat.Declaration.CrossParameterCount);
        Assert.Equal(2 * (2 * 100 * 7 + 100), SmallDcnLowRank.Declaration.CrossParameterCount);
        Assert.Equal(3 * (100 * 100 + 100), SmallDcnFullRank.Declaration.CrossParameterCount);
        Assert.Equal(InteractionKind.DcnV2, SmallDcnLowRank.Declaration.Interaction);
        Assert.Equal((2, 7), (SmallDcnLowRank.Declaration.CrossLayers, SmallDcnLowRank.Declaration.CrossRank));
        Assert.Equal(SmallCat.ParameterCount, EmbeddingLayout.FromDeclaration(SmallCat.Declaration).Size.Parameters);
        Assert.Equal(SmallDcnLowRank.ParameterCount, EmbeddingLayout.FromDeclaration(SmallDcnLowRank.Declaration).Size.Parameters);
        Assert.Equal(SmallDcnFullRank.ParameterCount, EmbeddingLayout.FromDeclaration(SmallDcnFullRank.Declaration).Size.Parameters);
        // top.0 has 4 outputs: Cat reads 100 inputs where Dot reads d + T(T+1)/2 = 30.
        Assert.Equal(SmallAuthors.ParameterCount + 4 * (100 - 30), SmallCat.ParameterCount);
        Assert.Contains("rank 7", SmallDcnLowRank.Declaration.ToString());
        Assert.Equal(InteractionKind.Dot, SmallAuthors.Declaration.Interaction);
    }

    [Theory]
    [InlineData(InteractionKind.Dot, 1, 0)]
    [InlineData(InteractionKind.Cat, 0, 4)]
    [InlineData(InteractionKind.DcnV2, 0, 0)]
    [InlineData(InteractionKind.DcnV2, 2, 101)]
    [InlineData(InteractionKind.DcnV2, 2, -1)]
    [InlineData((InteractionKind)9, 0, 0)]
    public void A_hand_built_declaration_obeys_the_generators_interaction_rules(InteractionKind interaction, int layers, int rank)
    {
        ModelDeclaration d = SmallDcnLowRank.Declaration;
        var error = Assert.Throws<ArgumentException>(() => new ModelDeclaration(d.Name, d.DenseFeatures, d.EmbeddingDim, d.BottomMlp, d.TopMlp,
            d.Tokens, d.RobeSlots, d.BlockSize, d.Variant, d.Tables, d.Fingerprint, interaction, layers, rank));
        Assert.Contains("only DcnV2 has cross layers", error.Message);
        _ = new ModelDeclaration(d.Name, d.DenseFeatures, d.EmbeddingDim, d.BottomMlp, d.TopMlp,
            d.Tokens, d.RobeSlots, d.BlockSize, d.Variant, d.Tables, d.Fingerprint, InteractionKind.DcnV2, 2, 100);
    }

    [Fact]
    public void Raw_id_tables_are_two_to_the_33_apart()
    {
        for (int t = 0; t < CriteoKaggle.TableCount; t++)
        {
            EmbeddingTable table = CriteoKaggle.Declaration.Tables[t];
            Assert.Equal(t, table.Index);
            Assert.Equal(t, table.Column);
            Assert.Equal("C" + (t + 1), table.Name);
            Assert.Equal((ulong)t << EmbeddingTable.RawTokenTableShift, table.TokenOffset);
        }
    }

    [Fact]
    public void Vocabulary_tables_are_offset_by_the_earlier_cardinalities()
    {
        long offset = 0;
        foreach (EmbeddingTable table in CriteoTerabyte.Declaration.Tables)
        {
            Assert.Equal((ulong)offset, table.TokenOffset);
            offset += table.Cardinality;
        }
        Assert.Equal(187_767_399L, offset);
    }

    [Fact]
    public void Table_properties_return_the_declarations_tables()
    {
        var kaggle = (CriteoKaggle)CriteoKaggle.Definition;
        Assert.Same(CriteoKaggle.Declaration.Tables[0], kaggle.C1);
        Assert.Same(CriteoKaggle.Declaration.Tables[25], kaggle.C26);
        Assert.Equal(2_202_608, kaggle.C4.Cardinality);
        var small = new SmallAuthors();
        Assert.Equal(EmbeddingStorage.Full, small.Full1.Storage);
        Assert.Equal(7, small.Hashed1.Rows);
        Assert.Equal(EmbeddingStorage.Hashed, small.Hashed1.Storage);
    }

    [Fact]
    public void Definition_exposes_the_declaration_and_kernels()
    {
        IDlrmDefinition definition = CriteoKaggle.Definition;
        Assert.Same(CriteoKaggle.Declaration, definition.Declaration);
        Assert.Same(CriteoKaggle.CpuEmbedding.Instance, definition.Embedding);
        Assert.Same(CriteoKaggle.GpuEmbedding.Instance, definition.GpuEmbedding);
    }

    [Fact]
    public void Fingerprints_differ_between_declarations()
    {
        var prints = new[] { CriteoKaggle.Fingerprint, CriteoTerabyte.Fingerprint, GoldenZ1.Fingerprint, SmallAuthors.Fingerprint, SmallCircular.Fingerprint, SmallSigned.Fingerprint };
        Assert.Equal(prints.Length, prints.Distinct().Count());
        Assert.All(prints, p => Assert.Matches("^[0-9a-f]{16}$", p));
    }
}
