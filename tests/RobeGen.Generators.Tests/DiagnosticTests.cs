using Microsoft.CodeAnalysis;
using static RobeGen.Generators.Tests.Declarations;

namespace RobeGen.Generators.Tests;

/// <summary>Every RG diagnostic: its id, the exact span it points at and a fragment of its message.</summary>
public sealed class DiagnosticTests
{
    private const string Robe = "[RobeArray(Slots = 1000, BlockSize = 4)]";
    private const string Dlrm = "DenseFeatures = 13, EmbeddingDim = 8, BottomMlp = new[] { 16, 8 }";
    private const string OneTable = "[Categorical(Column = 0, Cardinality = 100)] public partial EmbeddingTable A { get; }";

    /// <summary>id, source with the span marked, message fragment, and whether the compiler itself reports nothing
    /// else (true where the generator can still implement the table properties).</summary>
    public static TheoryData<string, string, string, bool> Cases() => new()
    {
        { "RG0001", Valid(classHeader: "public class [|M|]"), "must be declared 'partial'", false },
        { "RG0002", $$"""
            using RobeGen;
            namespace Sample;
            public partial class Outer
            {
                [Dlrm({{Dlrm}})]
                {{Robe}}
                public partial class [|M|] { {{OneTable}} }
            }
            """, "nested inside 'Sample.Outer'", false },
        { "RG0003", Valid(classHeader: "public partial class [|M|]<T>"), "has type parameters", false },
        { "RG0004", Valid(classHeader: "public abstract partial class [|M|]"), "is abstract", true },
        { "RG0004", Valid(classHeader: "public partial record [|M|]"), "is a record", false },
        { "RG0005", Valid(tables: "public M(int seed) { }\n" + OneTable, classHeader: "public partial class [|M|]"), "add a parameterless constructor", true },
        { "RG0006", Valid(tables: "", classHeader: "public partial class [|M|]"), "has no [Categorical] properties", true },
        { "RG0007", Valid(dlrm: "[|DenseFeatures = 0|], EmbeddingDim = 8, BottomMlp = new[] { 8 }"), "DenseFeatures is 0", true },
        { "RG0007", Valid(dlrm: "[|DenseFeatures = -3|], EmbeddingDim = 8, BottomMlp = new[] { 8 }"), "DenseFeatures is -3", true },
        { "RG0008", Valid(dlrm: "DenseFeatures = 1, [|EmbeddingDim = 0|], BottomMlp = new[] { 8 }", robeArray: ""), "EmbeddingDim is 0", true },
        { "RG0009", Valid(dlrm: "DenseFeatures = 1, EmbeddingDim = 8, [|BottomMlp = new int[0]|]"), "BottomMlp is empty", true },
        { "RG0009", "using RobeGen; namespace Sample; [[|Dlrm(DenseFeatures = 1, EmbeddingDim = 8)|]] " + Robe + " public partial class M { " + OneTable + " }",
            "BottomMlp = new[] { 512, 256, 8 }", true },
        { "RG0010", Valid(dlrm: "DenseFeatures = 1, EmbeddingDim = 8, BottomMlp = new[] { 16, [|4|] }"), "end BottomMlp with 8", true },
        { "RG0011", Valid(dlrm: "DenseFeatures = 1, EmbeddingDim = 8, BottomMlp = new[] { 8 }, TopMlp = new[] { 4, [|0|] }"), "TopMlp[1] is 0", true },
        { "RG0011", Valid(dlrm: "DenseFeatures = 1, EmbeddingDim = 8, BottomMlp = [[|-1|], 8]"), "BottomMlp[0] is -1", true },
        { "RG0012", Valid(robeArray: "[RobeArray([|Slots = 0|], BlockSize = 4)]"), "Table 'A' is stored in the ROBE array but the array's Slots is 0", true },
        { "RG0012", Valid(robeArray: "", classHeader: "public partial class [|M|]"), "add [RobeArray(Slots = <m>, BlockSize = <Z>)]", true },
        { "RG0013", Valid(robeArray: "[RobeArray(Slots = 1000, [|BlockSize = 0|])]"), "BlockSize is 0; set it between 1 and EmbeddingDim (8)", true },
        { "RG0014", Valid(robeArray: "[RobeArray(Slots = 1000, [|BlockSize = 9|])]"), "BlockSize 9 is larger than EmbeddingDim 8", true },
        { "RG0015", Valid(robeArray: "[RobeArray([|Slots = 3|], BlockSize = 4)]"), "set Slots to at least 4", true },
        { "RG0016", Valid(tables: "[Categorical(Column = 0)] public EmbeddingTable [|A|] { get; }"), "must be declared 'public partial EmbeddingTable A { get; }'", true },
        { "RG0017", Valid(tables: "[Categorical(Column = 0)] public partial [|string|] A { get; }"), "has type 'string'", false },
        { "RG0018", Valid(tables: "[Categorical(Column = 0)] public partial EmbeddingTable A { get; [|set;|] }\npublic partial EmbeddingTable A { get => null!; set { } }"), "has a setter", true },
        { "RG0019", Valid(tables: "[Categorical(Column = 0)] public partial EmbeddingTable [|A|] { get; }\npublic partial EmbeddingTable A { get => null!; }"), "let RobeGen implement it", true },
        { "RG0020", Valid(tables: "[Categorical([|Column = -2|])] public partial EmbeddingTable A { get; }"), "Table 'A' has Column = -2", true },
        { "RG0020", Valid(tables: "[[|Categorical(Cardinality = 5)|]] public partial EmbeddingTable A { get; }"), "has Column = -1", true },
        { "RG0021", Valid(tables: OneTable + "\n[Categorical([|Column = 0|])] public partial EmbeddingTable B { get; }"), "which table 'A' already reads", true },
        { "RG0022", Valid(tables: "[Categorical(Column = 0, [|Storage = EmbeddingStorage.Full|])] public partial EmbeddingTable A { get; }"), "declares no Cardinality", true },
        { "RG0023", Valid(tables: "[Categorical(Column = 0, Cardinality = 9, [|Storage = EmbeddingStorage.Hashed|])] public partial EmbeddingTable A { get; }"), "declares no Rows", true },
        { "RG0024", Valid(dlrm: Dlrm + ", Tokens = TokenKind.Vocabulary", tables: OneTable + "\n[[|Categorical(Column = 1)|]] public partial EmbeddingTable B { get; }"),
            "Tokens = Vocabulary offsets each table's tokens", true },
        { "RG0025", Valid(tables: "[Categorical(Column = 0, [|Cardinality = -5|])] public partial EmbeddingTable A { get; }"), "has Cardinality = -5", true },
        { "RG0025", Valid(tables: "[Categorical(Column = 0, Storage = EmbeddingStorage.Hashed, [|Rows = -1|])] public partial EmbeddingTable A { get; }"), "has Rows = -1", true },
        { "RG0026", Valid(tables: "[Categorical(Column = 0, [|Storage = (EmbeddingStorage)7|])] public partial EmbeddingTable A { get; }"), "Storage = 7 is not a value of EmbeddingStorage", true },
        { "RG0026", Valid(robeArray: "[RobeArray(Slots = 99, BlockSize = 2, [|Variant = (RobeVariant)3|])]"), "Variant = 3 is not a value of RobeVariant", true },
        { "RG0026", Valid(dlrm: Dlrm + ", [|Tokens = (TokenKind)(-1)|]"), "Tokens = -1 is not a value of TokenKind", true },
        { "RG0027", Valid(tables: "[Categorical(Column = 0)] public partial EmbeddingTable [|Fingerprint|] { get; }"), "has the name of a member RobeGen generates", true },
        { "RG0027", Valid(tables: "[Categorical(Column = 0)] public partial EmbeddingTable [|TokenOffsets|] { get; }"), "has the name of a member RobeGen generates", true },
        { "RG0029", Valid(classHeader: "public partial class [|M|]", tables: "[Categorical(Column = 0, Cardinality = long.MaxValue / 2, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable A { get; }"),
            "do not fit in a 64-bit integer", true },
        { "RG0028", Valid(tables: "[Categorical(Column = 0, [|Rows = 5|])] public partial EmbeddingTable A { get; }"), "declares Rows = 5 but is Storage = Robe", true },
        { "RG0030", Valid(tables: "[Categorical(Column = 0, [|Storage = EmbeddingStorage.QuotientRemainder|], Rows = 4)] public partial EmbeddingTable A { get; }"),
            "declares no Cardinality", true },
        { "RG0031", Valid(tables: "[Categorical(Column = 0, Cardinality = 50, [|Storage = EmbeddingStorage.QuotientRemainder|])] public partial EmbeddingTable A { get; }"),
            "declares Rows = 0", true },
        { "RG0031", Valid(tables: "[Categorical(Column = 0, Cardinality = 50, Storage = EmbeddingStorage.QuotientRemainder, [|Rows = 0|])] public partial EmbeddingTable A { get; }"),
            "between 1 and Cardinality", true },
        { "RG0032", Valid(tables: "[Categorical(Column = 0, Cardinality = 50, Storage = EmbeddingStorage.QuotientRemainder, [|Rows = 51|])] public partial EmbeddingTable A { get; }"),
            "has Rows = 51 remainder rows but only Cardinality = 50 ids", true },
        { "RG0033", Valid(tables: "[Categorical([|Column = 26|], Cardinality = 10)] public partial EmbeddingTable A { get; }"),
            "Column = 26, but the Criteo layout has categorical columns 0..25 (C1..C26)", true },
        { "RG0034", Valid(dlrm: "[|DenseFeatures = 14|], EmbeddingDim = 8, BottomMlp = new[] { 8 }"), "the Criteo layout has 13 dense columns", true },
        { "RG0035", Named(tables: OneTable.Replace("Column = 0", "[|Column = 0|]")), "table 'A' (Column = 0) uses a position of the Criteo layout", true },
        { "RG0035", Named(dlrm: "[|DenseFeatures = 2|], EmbeddingDim = 8, BottomMlp = new[] { 8 }", dense: ""), "DenseFeatures = 2 uses a position", true },
        { "RG0035", Named(tables: "[Categorical(\"user\", [|Column = 3|])] public partial EmbeddingTable A { get; }"), "Column = 3 besides its name", true },
        { "RG0036", Named(dlrm: "[|DenseFeatures = 3|], EmbeddingDim = 8, BottomMlp = new[] { 8 }"), "DenseFeatures = 3 but the class declares 2 [Dense] columns", true },
        { "RG0037", Named(tables: "[Categorical([|\"price\"|])] public partial EmbeddingTable A { get; }"),
            "table 'A' reads column 'price', which a dense feature reads already", true },
        { "RG0037", Named(dlrm: "Label = \"age\", EmbeddingDim = 8, BottomMlp = new[] { 8 }", dense: "[Dense(\"price\")] [Dense([|\"age\"|])]"),
            "a dense feature reads column 'age', which the label reads already", true },
        { "RG0038", Named(dense: "[Dense([|\" \"|])]"), "a dense feature has a blank column name", true },
        { "RG0026", Named(dense: "[Dense(\"price\", [|Transform = (DenseTransform)9|])]"), "Transform = 9 is not a value of DenseTransform", true },
        { "RG0026", Valid(dlrm: Mlps + ", [|Interaction = (InteractionKind)7|]"), "Interaction = 7 is not a value of InteractionKind", true },
        { "RG0040", Valid(dlrm: Mlps + ", [|CrossLayers = 3|]"), "CrossLayers is set but Interaction = Dot", true },
        { "RG0040", Valid(dlrm: Mlps + ", Interaction = InteractionKind.Cat, [|CrossRank = 4|]"), "CrossRank is set but Interaction = Cat", true },
        { "RG0041", Valid(dlrm: Mlps + ", [|Interaction = InteractionKind.DcnV2|]"), "Interaction = DcnV2 but CrossLayers = 0", true },
        { "RG0041", Valid(dlrm: Mlps + ", Interaction = InteractionKind.DcnV2, [|CrossLayers = -1|]"), "CrossLayers = -1", true },
        // D = d (T+1) = 8 * 3 = 24.
        { "RG0042", Valid(dlrm: Mlps + ", Interaction = InteractionKind.DcnV2, CrossLayers = 2, [|CrossRank = 25|]"), "CrossRank = 25; set it between 1 and 24", true },
        { "RG0042", Valid(dlrm: Mlps + ", Interaction = InteractionKind.DcnV2, CrossLayers = 2, [|CrossRank = -1|]"), "CrossRank = -1", true },
        { "RG0043", Named(tables: "[Categorical(\"tags\", Pooling = Pooling.Sum, [|Hotness = 0|])] public partial EmbeddingTable A { get; }"),
            "Table 'A' has Hotness = 0", true },
        { "RG0043", Named(tables: "[Categorical(\"tags\", [|Hotness = -3|])] public partial EmbeddingTable A { get; }"), "Hotness = -3", true },
        { "RG0044", Valid(tables: "[Categorical(Column = 0, [|Pooling = Pooling.Mean|])] public partial EmbeddingTable A { get; }"),
            "Table 'A' has Pooling = Mean, but it reads column C1 of the Criteo layout", true },
        { "RG0026", Named(tables: "[Categorical(\"tags\", [|Pooling = (Pooling)4|])] public partial EmbeddingTable A { get; }"), "Pooling = 4 is not a value of Pooling", true },
    };

    /// <summary>A valid declaration of named columns, with one part replaced.</summary>
    private static string Named(string dlrm = "Label = \"clicked\", EmbeddingDim = 8, BottomMlp = new[] { 8 }",
        string dense = "[Dense(\"price\", Transform = DenseTransform.Log1p)] [Dense(\"age\")]",
        string tables = "[Categorical(\"user\", Cardinality = 100)] public partial EmbeddingTable A { get; }") =>
        Valid(dlrm: dlrm, tables: tables).Replace("[RobeArray(", dense + "\n[RobeArray(");

    /// <summary>The MLPs of <see cref="Valid"/>'s default, for cases that add [Dlrm] arguments.</summary>
    private const string Mlps = "DenseFeatures = 13, EmbeddingDim = 8, BottomMlp = new[] { 16, 8 }, TopMlp = new[] { 4 }";

    [Theory]
    [InlineData("Interaction = InteractionKind.Cat")]
    [InlineData("Interaction = InteractionKind.DcnV2, CrossLayers = 1, CrossRank = 24")]
    [InlineData("Interaction = InteractionKind.DcnV2, CrossLayers = 3")]
    public void Valid_interactions_report_nothing(string interaction)
    {
        Run run = GeneratorHarness.Run(Valid(dlrm: Mlps + ", " + interaction));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilerDiagnostics);
    }

    [Fact]
    public void A_named_declaration_takes_an_interaction()
    {
        // Both [Dlrm] additions at once: the generated Declaration passes the interaction and the named columns.
        Run run = GeneratorHarness.Run(Named(dlrm: "Label = \"clicked\", EmbeddingDim = 8, BottomMlp = new[] { 8 }, "
            + "Interaction = InteractionKind.DcnV2, CrossLayers = 2, CrossRank = 4"));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilerDiagnostics);
        string text = run.Source("Sample.M.Dlrm.g.cs");
        Assert.Contains("global::RobeGen.InteractionKind.DcnV2, 2, 4,", text, StringComparison.Ordinal);
        Assert.Contains("labelColumn: \"clicked\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_at_the_offending_syntax(string id, string marked, string fragment, bool nothingElseFromTheCompiler)
    {
        var (source, span) = Markup.Parse(marked);
        Run run = GeneratorHarness.Run(source);

        Assert.Null(run.Single.Exception);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Equal("Declaration0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Contains(fragment, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "RG9999");
        if (nothingElseFromTheCompiler)
            Assert.Empty(run.CompilerDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void An_error_stands_alone_even_where_the_program_uses_the_generated_members()
    {
        // Before, each RG error came with seven CS0117 "'M' does not contain a definition for 'Definition'" (one per use).
        const string program = """
            namespace Sample;
            public static class Program
            {
                public static object[] Uses() => new object[]
                {
                    M.Definition, M.Declaration, M.ParameterCount, M.ParameterBytes, M.CompressionRatio, M.Fingerprint,
                    M.DenseFeatures, M.EmbeddingDim, M.TableCount, M.RobeSlots, M.BottomMlp.Length, M.TopMlp.Length, new M().A,
                };
            }
            """;
        Run run = GeneratorHarness.Run(Valid(tables: "[Categorical(Column = 26, Cardinality = 10)] public partial EmbeddingTable A { get; }"), program);
        GeneratedSourceResult file = Assert.Single(run.Single.GeneratedSources);
        Assert.Equal("Sample.M.Dlrm.g.cs", file.HintName);
        string text = file.SourceText.ToString();
        Assert.Contains("public partial global::RobeGen.EmbeddingTable A { get => throw", text);
        Assert.Contains("Definition => throw", text);
        Assert.Empty(run.CompilerDiagnostics);
        Assert.Equal(new[] { "RG0033" }, run.GeneratorDiagnostics.Select(d => d.Id));
    }

    [Fact]
    public void A_stub_leaves_out_a_member_a_table_property_already_names()
    {
        Run run = GeneratorHarness.Run(Valid(tables: "[Categorical(Column = 0)] public partial EmbeddingTable Fingerprint { get; }"));
        Assert.Equal(new[] { "RG0027" }, run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Empty(run.CompilerDiagnostics);
    }

    [Fact]
    public void A_warning_alone_still_generates_the_model()
    {
        Run run = GeneratorHarness.Run(Valid(tables: "[Categorical(Column = 0, Rows = 5)] public partial EmbeddingTable A { get; }"));
        Assert.Equal(new[] { "RG0028" }, run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Contains("IDlrmDefinition", run.Source("Sample.M.Dlrm.g.cs"));
        Assert.Empty(run.CompilerDiagnostics);
    }

    [Fact]
    public void Every_descriptor_is_tested_and_listed_in_the_release_notes()
    {
        var ids = typeof(Diagnostics.DiagnosticDescriptors)
            .GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var tested = Cases().Select(row => (string)row[0]).Append("RG9999").ToHashSet();
        Assert.All(ids, id => Assert.Contains(id, tested));

        string releases = File.ReadAllText(Path.Combine(RepositoryPaths.GeneratorDirectory, "AnalyzerReleases.Unshipped.md"));
        Assert.All(ids, id => Assert.Contains(id + " |", releases));
    }
}
