using RobeGen.Models;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Embedding;

/// <summary>The generated CPU loops against the slow reference, for every variant, storage and block-size path.</summary>
public sealed class CpuEmbeddingTests
{
    private const int Batch = 9;

    [Theory]
    [MemberData(nameof(EmbeddingCases.All), MemberType = typeof(EmbeddingCases))]
    public void Gather_equals_the_reference(string modelName, string layoutName)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, layoutName);
        ulong[] tokens = EmbeddingCases.Tokens(layout, Batch, seed: 1);
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 2);
        var starts = new long[Batch * layout.TableCount * layout.MaxBlocks];
        var output = new float[Batch * layout.TableCount * layout.Dim];

        model.Embedding.Gather(layout, weights, tokens, Batch, starts, output);

        Assert.Equal(RobeReference.Gather(layout, weights, tokens, Batch), output);
    }

    [Theory]
    [MemberData(nameof(EmbeddingCases.All), MemberType = typeof(EmbeddingCases))]
    public void Block_starts_and_SlotOf_give_the_reference_slots(string modelName, string layoutName)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, layoutName);
        ulong[] tokens = EmbeddingCases.Tokens(layout, Batch, seed: 3);
        int tables = layout.TableCount, maxBlocks = layout.MaxBlocks, z = layout.BlockSize;
        var starts = new long[Batch * tables * maxBlocks];
        model.Embedding.Gather(layout, new float[layout.TotalParameters], tokens, Batch, starts, new float[Batch * tables * layout.Dim]);

        for (int s = 0; s < Batch; s++)
            for (int t = 0; t < tables; t++)
                for (int j = 0; j < layout.Dim; j++)
                {
                    ulong token = tokens[s * tables + t];
                    var expected = RobeReference.Slot(layout, t, token, j);
                    Assert.Equal(expected, model.Embedding.SlotOf(layout, t, token, j));
                    long recordBase = (s * tables + t) * maxBlocks;
                    bool robe = layout.Storage[t] == EmbeddingStorage.Robe;
                    long fromStarts = robe ? starts[recordBase + j / z] + j % z : starts[recordBase] + j;
                    if (robe && layout.Variant == RobeVariant.Circular) fromStarts %= layout.RobeSlots;
                    Assert.Equal(expected.Slot, fromStarts);
                }
    }

    [Theory]
    [MemberData(nameof(EmbeddingCases.All), MemberType = typeof(EmbeddingCases))]
    public void ScatterGradient_equals_the_reference(string modelName, string layoutName)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, layoutName);
        ulong[] tokens = EmbeddingCases.Tokens(layout, Batch, seed: 4);
        var starts = new long[Batch * layout.TableCount * layout.MaxBlocks];
        model.Embedding.Gather(layout, new float[layout.TotalParameters], tokens, Batch, starts, new float[Batch * layout.TableCount * layout.Dim]);
        float[] gradOutput = EmbeddingCases.Floats(Batch * layout.TableCount * layout.Dim, seed: 5);
        var gradWeights = new float[layout.TotalParameters];

        model.Embedding.ScatterGradient(layout, new float[layout.TotalParameters], tokens, starts, Batch, gradOutput, gradWeights);

        // Same additions in the same (sample, table, coordinate) order: equal to the last bit.
        Assert.Equal(RobeReference.Scatter(layout, tokens, Batch, gradOutput), gradWeights);
    }

    [Fact]
    public void A_batch_split_into_ranges_gives_the_same_rows()
    {
        IDlrmDefinition model = SmallSigned.Definition;
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        int tables = layout.TableCount, d = layout.Dim, blocks = layout.MaxBlocks;
        ulong[] tokens = EmbeddingCases.Tokens(layout, Batch, seed: 6);
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 7);
        var whole = new float[Batch * tables * d];
        var split = new float[Batch * tables * d];
        var starts = new long[Batch * tables * blocks];
        model.Embedding.Gather(layout, weights, tokens, Batch, starts, whole);
        model.Embedding.Gather(layout, weights, tokens.AsSpan(0, 4 * tables), 4, starts.AsSpan(0, 4 * tables * blocks), split.AsSpan(0, 4 * tables * d));
        model.Embedding.Gather(layout, weights, tokens.AsSpan(4 * tables), Batch - 4, starts.AsSpan(4 * tables * blocks), split.AsSpan(4 * tables * d));
        Assert.Equal(whole, split);
    }

    [Fact]
    public void A_Full_token_out_of_range_is_refused_with_the_table_name()
    {
        IDlrmDefinition model = SmallAuthors.Definition;
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        var tokens = new ulong[] { 1, 50, 2, 3 }; // Full1 has 50 rows
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Embedding.Gather(layout, new float[layout.TotalParameters], tokens, 1,
            new long[layout.TableCount * layout.MaxBlocks], new float[layout.TableCount * layout.Dim]));
        Assert.Contains("Full1", error.Message);
        Assert.Contains("50", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Embedding.SlotOf(layout, 1, 50, 0));
    }

    [Fact]
    public void A_layout_of_another_declaration_is_refused()
    {
        EmbeddingLayout other = EmbeddingLayout.FromDeclaration(SmallCircular.Declaration);
        var error = Assert.Throws<ArgumentException>(() => SmallAuthors.Definition.Embedding.SlotOf(other, 0, 1, 0));
        Assert.Contains(nameof(SmallCircular), error.Message);
    }

    [Fact]
    public void Short_buffers_are_refused_with_their_name()
    {
        IDlrmDefinition model = SmallAuthors.Definition;
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        int tables = layout.TableCount;
        var tokens = new ulong[2 * tables];
        var weights = new float[layout.TotalParameters];
        var starts = new long[2 * tables * layout.MaxBlocks];
        var output = new float[2 * tables * layout.Dim];
        Assert.Equal("tokens", Assert.Throws<ArgumentException>(() => model.Embedding.Gather(layout, weights, tokens.AsSpan(1), 2, starts, output)).ParamName);
        Assert.Equal("blockStarts", Assert.Throws<ArgumentException>(() => model.Embedding.Gather(layout, weights, tokens, 2, starts.AsSpan(1), output)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => model.Embedding.Gather(layout, weights, tokens, 2, starts, output.AsSpan(1))).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => model.Embedding.Gather(layout, weights.AsSpan(1), tokens, 2, starts, output)).ParamName);
        Assert.Equal("gradWeights", Assert.Throws<ArgumentException>(() =>
            model.Embedding.ScatterGradient(layout, weights, tokens, starts, 2, output, weights.AsSpan(1))).ParamName);
    }

    [Fact]
    public void Kaggle_raw_ids_gather_like_the_reference()
    {
        // Criteo's real ids are 32-bit hashes; the missing-id token is 2^32.
        IDlrmDefinition model = CriteoKaggle.Definition;
        EmbeddingLayout layout = EmbeddingLayout.FromDeclaration(model.Declaration);
        var rng = new Random(8);
        var tokens = new ulong[4 * 26];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = i % 7 == 0 ? EmbeddingTable.MissingRawToken : (ulong)(uint)rng.Next();
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 9);
        var output = new float[4 * 26 * 16];
        model.Embedding.Gather(layout, weights, tokens, 4, new long[4 * 26 * 4], output);
        Assert.Equal(RobeReference.Gather(layout, weights, tokens, 4), output);
    }
}
