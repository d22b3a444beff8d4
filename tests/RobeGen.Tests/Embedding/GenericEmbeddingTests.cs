using RobeGen.Tests.Models;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Embedding;

/// <summary>
/// The generic (hand-written, any layout) CPU loops against a declaration's generated loops on the declared layout,
/// for every storage and variant: the same embeddings, block starts and gradients to the last bit. And which layouts
/// run which loops.
/// </summary>
public sealed class GenericEmbeddingTests
{
    private const int Batch = 9;

    public static TheoryData<string> DeclaredModels()
    {
        var data = new TheoryData<string>();
        foreach (string model in EmbeddingCases.DeclaredModels()) data.Add(model);
        return data;
    }

    [Theory]
    [MemberData(nameof(DeclaredModels))]
    public void Generic_loops_equal_the_generated_loops_on_the_declared_layout(string modelName)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        Assert.True(layout.MatchesDeclaredKernels); // so model.Embedding runs its generated loops
        int pairs = Batch * layout.TableCount;
        IEmbeddingKernels generic = GenericEmbeddingKernels.Instance;
        for (int seed = 0; seed < 3; seed++)
        {
            ulong[] tokens = EmbeddingCases.Tokens(layout, Batch, seed: 20 + seed);
            float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 30 + seed);
            float[] gradOutput = EmbeddingCases.Floats(pairs * layout.Dim, seed: 40 + seed);
            var (declaredStarts, declaredOutput, declaredGrad) = Run(model.Embedding, layout, weights, tokens, gradOutput);
            var (genericStarts, genericOutput, genericGrad) = Run(generic, layout, weights, tokens, gradOutput);
            Assert.Equal(declaredStarts, genericStarts);
            Assert.Equal(declaredOutput, genericOutput);
            Assert.Equal(declaredGrad, genericGrad);
        }
    }

    private static (long[] Starts, float[] Output, float[] Grad) Run(IEmbeddingKernels kernels, EmbeddingLayout layout, float[] weights, ulong[] tokens, float[] gradOutput)
    {
        int pairs = Batch * layout.TableCount;
        var starts = Enumerable.Repeat(-7L, pairs * layout.MaxBlocks).ToArray();
        var output = new float[pairs * layout.Dim];
        var grad = new float[layout.TotalParameters];
        kernels.Gather(layout, weights, tokens, Batch, starts, output);
        kernels.ScatterGradient(layout, weights, tokens, starts, Batch, gradOutput, grad);
        return (starts, output, grad);
    }

    [Theory]
    [InlineData(nameof(SmallAuthors), "declared", true)]
    [InlineData(nameof(SmallAuthors), "m=z", true)]          // m is a run-time argument of the generated loops
    [InlineData(nameof(SmallAuthors), "z=3", false)]
    [InlineData(nameof(SmallAuthors), "all-hashed", false)]
    [InlineData(nameof(SmallAuthors), "all-robe", false)]
    [InlineData(nameof(SmallAuthors), "one-hashed", false)]  // one table's storage is enough
    [InlineData(nameof(SmallQr), "declared", true)]
    [InlineData(nameof(WideSigned), "z=1", false)]
    public void The_selector_takes_the_generated_loops_only_for_the_declared_storage_and_Z(string modelName, string layoutName, bool generated)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, layoutName);
        Assert.Equal(generated, layout.MatchesDeclaredKernels);
        Assert.Same(generated ? model.Embedding : GenericEmbeddingKernels.Instance, EmbeddingKernelSelector.Cpu(model, layout));
        IGpuEmbeddingKernels gpu = EmbeddingKernelSelector.Gpu(model, layout);
        Assert.Equal(generated, ReferenceEquals(gpu, model.GpuEmbedding));
        Assert.Equal(!generated, gpu is GenericGpuEmbeddingKernels);
    }

    [Fact]
    public void Row_counts_are_run_time_arguments_and_Z_matters_only_with_ROBE_tables()
    {
        // More rows for the Full table (a vocabulary's size) keeps the generated loops.
        var rows = EmbeddingLayout.FromDeclaration(SmallAuthors.Declaration, new EmbeddingOverrides { Rows = [0, 80, 9, 0] });
        Assert.True(rows.MatchesDeclaredKernels);
        // No table reads the ROBE array: Z is nobody's business.
        TestModel rowsOnly = TestModel.Create(2, 4, [4], [], [new TestTable(5, EmbeddingStorage.Full), new TestTable(9, EmbeddingStorage.Hashed, 3)], slots: 0, blockSize: 2);
        Assert.True(EmbeddingLayout.FromDeclaration(rowsOnly.Declaration, new EmbeddingOverrides { BlockSize = 3 }).MatchesDeclaredKernels);
    }

    [Fact]
    public void The_generic_loops_take_a_layout_of_any_declaration()
    {
        // Unlike a declaration's generated loops, which refuse another declaration's layout.
        EmbeddingLayout layout = EmbeddingCases.Layout(SmallCircular.Definition, "z=3");
        ulong[] tokens = EmbeddingCases.Tokens(layout, Batch, seed: 5);
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 6);
        var output = new float[Batch * layout.TableCount * layout.Dim];
        GenericEmbeddingKernels.Instance.Gather(layout, weights, tokens, Batch, new long[Batch * layout.TableCount * layout.MaxBlocks], output);
        Assert.Equal(RobeReference.Gather(layout, weights, tokens, Batch), output);
        Assert.Throws<ArgumentException>(() => SmallAuthors.Definition.Embedding.Gather(layout, weights, tokens, Batch,
            new long[Batch * layout.TableCount * layout.MaxBlocks], output));
    }
}
