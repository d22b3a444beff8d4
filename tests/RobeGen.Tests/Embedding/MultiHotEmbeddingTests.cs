using RobeGen.Tests.Models;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Embedding;

/// <summary>Multi-hot bags (variable lengths, empty bags, repeated ids) and the models that pool them.</summary>
internal static class MultiHotCases
{
    public static IDlrmDefinition Model(string name) => name switch
    {
        nameof(MultiHotAuthors) => MultiHotAuthors.Definition,
        nameof(MultiHotSigned) => MultiHotSigned.Definition,
        nameof(MultiHotCircular) => MultiHotCircular.Definition,
        nameof(MultiHotLaneBlocks) => MultiHotLaneBlocks.Definition,
        nameof(MultiHotWideBlocks) => MultiHotWideBlocks.Definition,
        _ => EmbeddingCases.Model(name),
    };

    public static IEnumerable<string> Models() =>
        [nameof(MultiHotAuthors), nameof(MultiHotSigned), nameof(MultiHotCircular), nameof(MultiHotLaneBlocks), nameof(MultiHotWideBlocks)];

    /// <summary>Bags of 0 to 5 ids (every fourth cell empty or of one id, ids repeated within a bag), valid for the layout.</summary>
    public static (int[] Offsets, ulong[] Ids) Bags(EmbeddingLayout layout, int batch, int seed)
    {
        var rng = new Random(seed);
        var offsets = new int[batch * layout.TableCount + 1];
        var ids = new List<ulong>();
        for (int cell = 0; cell < batch * layout.TableCount; cell++)
        {
            int table = cell % layout.TableCount;
            int count = layout.Pooling[table] == Pooling.None ? 1 : rng.Next(4) == 0 ? rng.Next(2) : rng.Next(6);
            for (int k = 0; k < count; k++)
            {
                ulong id = layout.Storage[table] == EmbeddingStorage.Full
                    ? (ulong)rng.NextInt64(layout.Rows[table])
                    : rng.Next(3) == 0 ? (ulong)rng.Next(4) : (ulong)rng.NextInt64() * 2 + (ulong)rng.Next(2);
                // Repeat the previous id of the bag now and then.
                if (k > 0 && rng.Next(3) == 0) id = ids[^1];
                ids.Add(id);
            }
            offsets[cell + 1] = ids.Count;
        }
        return (offsets, ids.ToArray());
    }

    public static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }
}

/// <summary>
/// The CPU bag loops (generic and generated) against <see cref="ReferenceBags"/> (a sum of single-id gathers), and
/// against each other to the last bit.
/// </summary>
public sealed class MultiHotEmbeddingTests
{
    private const int Batch = 7;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string model in MultiHotCases.Models())
            foreach (string layout in new[] { "declared", "z=3", "all-robe", "all-hashed" })
                data.Add(model, layout);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Selected_bag_loops_match_the_sum_of_single_id_gathers(string modelName, string layoutName)
    {
        IDlrmDefinition model = MultiHotCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, layoutName);
        IEmbeddingKernels kernels = EmbeddingKernelSelector.Cpu(model, layout);
        Assert.Equal(layout.MatchesDeclaredKernels, ReferenceEquals(kernels, model.Embedding));
        for (int seed = 0; seed < 3; seed++)
        {
            var (offsets, ids) = MultiHotCases.Bags(layout, Batch, seed: 50 + seed);
            float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 60 + seed);
            float[] gradOutput = EmbeddingCases.Floats(Batch * layout.TableCount * layout.Dim, seed: 70 + seed);
            var (expectedOutput, expectedStarts) = ReferenceBags.Gather(layout, weights, offsets, ids, Batch);
            float[] expectedGrad = ReferenceBags.Scatter(layout, weights, offsets, ids, Batch, gradOutput);

            var (starts, output, grad) = Run(kernels, layout, weights, offsets, ids, gradOutput);
            Assert.Equal(expectedStarts, starts);
            MultiHotCases.AssertClose(expectedOutput, output, 1e-5f, "output");
            MultiHotCases.AssertClose(expectedGrad, grad, 1e-5f, "grad");
        }
    }

    [Theory]
    [InlineData(nameof(MultiHotAuthors))]
    [InlineData(nameof(MultiHotSigned))]
    [InlineData(nameof(MultiHotCircular))]
    [InlineData(nameof(MultiHotLaneBlocks))]
    [InlineData(nameof(MultiHotWideBlocks))]
    public void Generated_bag_loops_equal_the_generic_ones_to_the_bit(string modelName)
    {
        IDlrmDefinition model = MultiHotCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        Assert.True(layout.MatchesDeclaredKernels);
        var (offsets, ids) = MultiHotCases.Bags(layout, Batch, seed: 5);
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 6);
        float[] gradOutput = EmbeddingCases.Floats(Batch * layout.TableCount * layout.Dim, seed: 7);
        var generated = Run(model.Embedding, layout, weights, offsets, ids, gradOutput);
        var generic = Run(GenericEmbeddingKernels.Instance, layout, weights, offsets, ids, gradOutput);
        Assert.Equal(generic.Starts, generated.Starts);
        Assert.Equal(generic.Output, generated.Output);
        Assert.Equal(generic.Grad, generated.Grad);
    }

    [Theory]
    [InlineData(nameof(SmallAuthors))]
    [InlineData(nameof(SmallQr))]
    [InlineData(nameof(SmallSigned))]
    public void Bags_of_one_id_equal_the_single_hot_path_to_the_bit(string modelName)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        int cells = Batch * layout.TableCount;
        ulong[] tokens = EmbeddingCases.Tokens(layout, Batch, seed: 3);
        int[] offsets = Enumerable.Range(0, cells + 1).ToArray();
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 4);
        float[] gradOutput = EmbeddingCases.Floats(cells * layout.Dim, seed: 5);
        foreach (IEmbeddingKernels kernels in new[] { model.Embedding, GenericEmbeddingKernels.Instance })
        {
            var bags = Run(kernels, layout, weights, offsets, tokens, gradOutput);
            var starts = new long[cells * layout.MaxBlocks];
            var output = new float[cells * layout.Dim];
            var grad = new float[layout.TotalParameters];
            kernels.Gather(layout, weights, tokens, Batch, starts, output);
            kernels.ScatterGradient(layout, weights, tokens, starts, Batch, gradOutput, grad);
            Assert.Equal(starts, bags.Starts);
            Assert.Equal(output, bags.Output);
            Assert.Equal(grad, bags.Grad);
        }
    }

    [Fact]
    public void An_empty_bag_gives_zeros_and_no_gradient_and_a_mean_divides_by_the_count()
    {
        IDlrmDefinition model = MultiHotSigned.Definition;
        EmbeddingLayout layout = EmbeddingLayout.FromDeclaration(model.Declaration);
        int d = layout.Dim;
        // One sample: Tags (Mean) holds id 9 twice and id 4; User (single-hot) id 1; Genres (Sum) is empty.
        int[] offsets = [0, 3, 4, 4];
        ulong[] ids = [9, 9, 4, 1];
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 1);
        var output = Enumerable.Repeat(float.NaN, 3 * d).ToArray();
        var starts = new long[ids.Length * layout.MaxBlocks];
        model.Embedding.GatherBags(layout, weights, offsets, ids, 1, starts, output);
        float[] nine = ReferenceBags.One(layout, weights, 0, 9).Embedding, four = ReferenceBags.One(layout, weights, 0, 4).Embedding;
        for (int j = 0; j < d; j++) Assert.Equal((nine[j] + nine[j] + four[j]) / 3f, output[j], 5);
        Assert.All(output.AsSpan(2 * d, d).ToArray(), v => Assert.Equal(0f, v));

        var grad = new float[layout.TotalParameters];
        var gradOutput = new float[3 * d];
        gradOutput.AsSpan(2 * d).Fill(1f); // only the empty bag has a gradient: nothing to add anywhere
        model.Embedding.ScatterBagGradient(layout, weights, offsets, ids, starts, 1, gradOutput, grad);
        Assert.All(grad, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Bad_offsets_are_argument_errors()
    {
        EmbeddingLayout layout = EmbeddingLayout.FromDeclaration(MultiHotSigned.Declaration);
        float[] weights = new float[layout.TotalParameters];
        var output = new float[3 * layout.Dim];
        var starts = new long[10 * layout.MaxBlocks];
        foreach (IEmbeddingKernels kernels in new[] { MultiHotSigned.Definition.Embedding, GenericEmbeddingKernels.Instance })
        {
            Assert.Throws<ArgumentException>(() => kernels.GatherBags(layout, weights, [0, 2, 1, 3], new ulong[3], 1, starts, output));
            Assert.Throws<ArgumentException>(() => kernels.GatherBags(layout, weights, [0, 1, 2, 9], new ulong[3], 1, starts, output));
            Assert.Throws<ArgumentException>(() => kernels.GatherBags(layout, weights, [0, 1], new ulong[3], 1, starts, output));
        }
    }

    private static (long[] Starts, float[] Output, float[] Grad) Run(IEmbeddingKernels kernels, EmbeddingLayout layout, float[] weights, int[] offsets,
        ulong[] ids, float[] gradOutput)
    {
        var starts = new long[ids.Length * layout.MaxBlocks]; // records a storage leaves unwritten stay 0, as in the reference
        // The gather overwrites every output value (an empty bag too): NaN would show through.
        var output = Enumerable.Repeat(float.NaN, Batch * layout.TableCount * layout.Dim).ToArray();
        var grad = new float[layout.TotalParameters];
        kernels.GatherBags(layout, weights, offsets, ids, Batch, starts, output);
        kernels.ScatterBagGradient(layout, weights, offsets, ids, starts, Batch, gradOutput, grad);
        return (starts, output, grad);
    }
}
