using System.Text.RegularExpressions;
using RobeGen.Generators.Model;
using RobeGen.Generators.Robe;

namespace RobeGen.Generators.Tests;

// Inside the namespace, so that they win over RobeGen.TokenKind, RobeVariant, DenseTransform and InteractionKind of the runtime.
using DenseTransform = RobeGen.Generators.Model.DenseTransform;
using RobeVariant = RobeGen.Generators.Model.RobeVariant;
using TokenKind = RobeGen.Generators.Model.TokenKind;
using InteractionKind = RobeGen.Generators.Model.InteractionKind;

/// <summary>The declaration fingerprint: FNV-1a 64, pinned for one declaration, sensitive to every field and to nothing else.</summary>
public sealed class FingerprintTests
{
    private static string FingerprintOf(string source, string hintName)
    {
        string text = GeneratorHarness.Run(source).Source(hintName);
        return Regex.Match(text, "public const string Fingerprint = \"([0-9a-f]{16})\";").Groups[1].Value;
    }

    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void Fnv1a_matches_the_published_test_vectors(string text, ulong expected) =>
        Assert.Equal(expected, Fingerprint.Fnv1a64(text));

    [Fact]
    public void The_fingerprint_of_a_declaration_is_pinned()
    {
        // Changing this value means every checkpoint of every model is refused: only on purpose, with a format bump.
        Assert.Equal("e639bf285ad045ba", FingerprintOf(Declarations.TinyAuthors, "Sample.TinyAuthors.Dlrm.g.cs"));
        // Writing the default interaction out leaves a Dot model's fingerprint (and its checkpoints) as they were.
        string explicitDot = Declarations.TinyAuthors.Replace("DenseFeatures = 2,", "Interaction = InteractionKind.Dot, DenseFeatures = 2,");
        Assert.NotEqual(Declarations.TinyAuthors, explicitDot);
        Assert.Equal("e639bf285ad045ba", FingerprintOf(explicitDot, "Sample.TinyAuthors.Dlrm.g.cs"));
    }

    [Fact]
    public void Whitespace_argument_order_and_file_path_do_not_matter()
    {
        string reordered = Declarations.TinyAuthors
            .Replace("[RobeArray(Slots = 101, BlockSize = 4)]", "[RobeArray(BlockSize = 4,\n    Slots = 101)]")
            .Replace("DenseFeatures = 2, EmbeddingDim = 6", "EmbeddingDim = 6,   DenseFeatures = 2")
            .Replace("Column = 0, Cardinality = 10", "Cardinality = 10, Column = 0");
        Assert.NotEqual(Declarations.TinyAuthors, reordered);
        Assert.Equal(FingerprintOf(Declarations.TinyAuthors, "Sample.TinyAuthors.Dlrm.g.cs"), FingerprintOf(reordered, "Sample.TinyAuthors.Dlrm.g.cs"));
    }

    [Fact]
    public void Every_field_changes_the_fingerprint()
    {
        var a = new TableModel("A", "public partial", 0, 0, "C1", 10, TableStorage.Robe, 0, 0);
        var b = new TableModel("B", "public partial", 1, 1, "C2", 20, TableStorage.Hashed, 5, 10);
        DlrmModel basis = new("N", "M", "N.M", 2, 8, new[] { 8 }.ToEquatableArray(), new[] { 4 }.ToEquatableArray(),
            TokenKind.Vocabulary, 100, 4, RobeVariant.Authors, new[] { a, b }.ToEquatableArray());
        DlrmModel WithB(TableModel changed) => basis with { Tables = new[] { a, changed }.ToEquatableArray() };
        DlrmModel named = basis with
        {
            NamedColumns = true,
            DenseColumns = new[] { new DenseColumnModel("price", DenseTransform.None), new DenseColumnModel("age", DenseTransform.None) }.ToEquatableArray(),
        };

        var variants = new[]
        {
            basis,
            basis with { FullName = "N.Other" },
            basis with { DenseFeatures = 3 },
            basis with { EmbeddingDim = 12 },
            basis with { BottomMlp = new[] { 16, 8 }.ToEquatableArray() },
            basis with { TopMlp = new[] { 4, 4 }.ToEquatableArray() },
            basis with { TopMlp = EquatableArray<int>.Empty },
            basis with { Tokens = TokenKind.RawId },
            basis with { RobeSlots = 101 },
            basis with { BlockSize = 2 },
            basis with { Variant = RobeVariant.Circular },
            basis with { Variant = RobeVariant.Signed },
            WithB(b with { Name = "C" }),
            WithB(b with { Column = 2 }),
            WithB(b with { Cardinality = 21 }),
            WithB(b with { Storage = TableStorage.Full }),
            WithB(b with { Rows = 6 }),
            basis with { Tables = new[] { b, a }.ToEquatableArray() },
            basis with { Tables = new[] { a }.ToEquatableArray() },
            named,
            named with { LabelColumn = "clicked" },
            named with { DenseColumns = new[] { new DenseColumnModel("price", DenseTransform.Log1p), new DenseColumnModel("age", DenseTransform.None) }.ToEquatableArray() },
            named with { DenseColumns = new[] { new DenseColumnModel("price", DenseTransform.None), new DenseColumnModel("size", DenseTransform.None) }.ToEquatableArray() },
            named with { Tables = new[] { a with { ColumnName = "user" }, b with { ColumnName = "item" } }.ToEquatableArray() },
            basis with { Interaction = InteractionKind.Cat },
            basis with { Interaction = InteractionKind.DcnV2, CrossLayers = 1 },
            basis with { Interaction = InteractionKind.DcnV2, CrossLayers = 2 },
            basis with { Interaction = InteractionKind.DcnV2, CrossLayers = 2, CrossRank = 3 },
            named with { Interaction = InteractionKind.Cat },
            named with { Interaction = InteractionKind.DcnV2, CrossLayers = 2, CrossRank = 3 },
        };
        var prints = variants.Select(Fingerprint.Of).ToList();
        Assert.Equal(prints.Count, prints.Distinct().Count());
        Assert.All(prints, p => Assert.Matches("^[0-9a-f]{16}$", p));
    }
}
