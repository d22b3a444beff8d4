using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace RobeGen.Generators.Tests;

/// <summary>The generated code compiles with no error and no warning (nullable on) against RobeGen, ILGPU and .NET 10.</summary>
public sealed class CompilationTests
{
    public static TheoryData<string> Sources()
    {
        var data = new TheoryData<string> { Declarations.TinyAuthors, Declarations.TinyCircular, Declarations.TinySigned, Declarations.TinyQr, Declarations.TinyNamed };
        // The reference models, moved to another namespace (RobeGen.dll already holds the originals).
        // Multi-hot bags at widths the bag kernels treat differently: d = 512 (16 steps a lane, ids one at a time) and
        // d = 1040 (past the unrolling: sums in the output), every storage, Signed with Mean.
        foreach (int dim in new[] { 512, 1040 })
            data.Add(MultiHot(dim));
        foreach (string model in new[] { "CriteoKaggle", "CriteoTerabyte", "CriteoTerabyteDcnV2MultiHot" })
        {
            string source = File.ReadAllText(Path.Combine(RepositoryPaths.RepositoryRoot, "src", "RobeGen", "Models", model + ".cs"));
            data.Add("using RobeGen;\n" + source.Replace("namespace RobeGen.Models;", "namespace Copies;"));
        }
        return data;
    }

    private static string MultiHot(int dim) => $$"""
        using RobeGen;

        [Dlrm(Label = "clicked", EmbeddingDim = {{dim}}, BottomMlp = new[] { {{dim}} }, TopMlp = new[] { 2 })]
        [Dense("price")]
        [RobeArray(Slots = 5000, BlockSize = 64, Variant = RobeVariant.Signed)]
        public partial class WideBags{{dim}}
        {
            [Categorical("tags", Cardinality = 1000, Pooling = Pooling.Mean, Hotness = 3)] public partial EmbeddingTable Tags { get; }
            [Categorical("user", Cardinality = 50, Storage = EmbeddingStorage.Full, Pooling = Pooling.Sum, Hotness = 2)] public partial EmbeddingTable User { get; }
            [Categorical("items", Cardinality = 300, Storage = EmbeddingStorage.QuotientRemainder, Rows = 7, Pooling = Pooling.Sum, Hotness = 2)]
            public partial EmbeddingTable Items { get; }
        }
        """;

    [Theory]
    [MemberData(nameof(Sources))]
    public void Generated_code_compiles_cleanly(string source)
    {
        Run run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Single.GeneratedSources);
        Assert.Empty(run.CompilerDiagnostics);
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
    }

    [Fact]
    public void Generated_code_is_fully_documented()
    {
        // A user project with GenerateDocumentationFile gets no CS1591 (missing XML comment) from the generated members.
        var options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        foreach (string source in new[] { Declarations.TinyAuthors, Declarations.TinyCircular, Declarations.TinySigned, Declarations.TinyQr })
        {
            Run run = GeneratorHarness.Run(source);
            foreach (GeneratedSourceResult file in run.Single.GeneratedSources)
            {
                var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(file.SourceText, options, path: file.HintName);
                var compilation = run.Output.RemoveAllSyntaxTrees()
                    .AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, options, path: "Declaration0.cs"), tree);
                var documentation = compilation.GetDiagnostics().Where(d => d.Location.SourceTree == tree && d.Severity >= DiagnosticSeverity.Warning);
                Assert.Empty(documentation);
            }
        }
    }

    [Fact]
    public void Several_models_in_one_compilation_get_one_file_each()
    {
        Run run = GeneratorHarness.Run(Declarations.TinyAuthors, Declarations.TinyCircular, Declarations.TinySigned);
        Assert.Equal(
            new[] { "Sample.Nested.Space.TinyCircular.Dlrm.g.cs", "Sample.TinyAuthors.Dlrm.g.cs", "TinySigned.Dlrm.g.cs" },
            run.Single.GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal));
        Assert.Empty(run.CompilerDiagnostics);
    }

    [Fact]
    public void A_huge_embedding_dim_is_not_unrolled()
    {
        // d beyond the unrolling limit: the declared path calls the generic loop and the file stays small.
        string source = Declarations.Valid(dlrm: "DenseFeatures = 1, EmbeddingDim = 100000, BottomMlp = new[] { 100000 }",
            robeArray: "[RobeArray(Slots = 1000000, BlockSize = 1, Variant = RobeVariant.Signed)]");
        Run run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilerDiagnostics);
        Assert.InRange(run.Source("Sample.M.Dlrm.g.cs").Length, 1, 100_000);
    }

    [Fact]
    public void The_declared_path_unrolls_one_literal_per_block()
    {
        // TinyAuthors: d = 6, Z = 4 -> K_0 and K_1 as literals, the second block partial (2 wide).
        string text = GeneratorHarness.Run(Declarations.TinyAuthors).Source("Sample.TinyAuthors.Dlrm.g.cs");
        Assert.Contains("RobeHash.AddMod(row, 634329019UL)", text);
        Assert.Contains("RobeHash.AddMod(row, " + ((1UL * 1825252241 + 634329019) % 2038074743) + "UL)", text);
        Assert.Contains("// Block 1: coordinates 4..5.", text);
        Assert.Equal(2, Regex.Matches(text, @"RobeHash\.AddMod\(row, \d+UL\)").Count);
    }
}
