using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace RobeGen.Generators.Tests;

/// <summary>A declaration that names its columns: what the generated Declaration says at run time, and its fingerprint.</summary>
public sealed class NamedColumnTests
{
    [Fact]
    public void The_generated_declaration_carries_the_named_columns()
    {
        ModelDeclaration d = LoadDeclaration(Declarations.TinyNamed, "Shop.TinyNamed");
        Assert.True(d.NamedColumns);
        Assert.Equal("clicked", d.LabelColumn);
        Assert.Equal(3, d.DenseFeatures);
        Assert.Equal(
            new[] { new DenseColumn("price", DenseTransform.Log1p), new DenseColumn("age", DenseTransform.Standardize), new DenseColumn("score", DenseTransform.None) },
            d.DenseColumns);
        Assert.Equal(new[] { "user_id", "country" }, d.Tables.Select(t => t.ColumnName));
        // A named table reads the reader's column of its own index: the reader puts each named column in table order.
        Assert.Equal(new[] { 0, 1 }, d.Tables.Select(t => t.Column));
    }

    [Fact]
    public void A_criteo_declaration_reads_the_criteo_layout()
    {
        ModelDeclaration d = LoadDeclaration(Declarations.TinyQr, "Sample.TinyQr");
        Assert.False(d.NamedColumns);
        Assert.Equal("label", d.LabelColumn);
        Assert.Equal(new[] { new DenseColumn("I1", DenseTransform.Log1p), new DenseColumn("I2", DenseTransform.Log1p) }, d.DenseColumns);
        Assert.Equal(new[] { "C1", "C2" }, d.Tables.Select(t => t.ColumnName));
    }

    [Theory]
    [InlineData("\"price\"", "\"cost\"")]
    [InlineData("Transform = DenseTransform.Standardize", "Transform = DenseTransform.None")]
    [InlineData("Label = \"clicked\"", "Label = \"bought\"")]
    [InlineData("\"country\"", "\"region\"")]
    public void Renaming_a_column_or_changing_a_transform_changes_the_fingerprint(string before, string after)
    {
        string changed = Declarations.TinyNamed.Replace(before, after);
        Assert.NotEqual(Declarations.TinyNamed, changed);
        Assert.NotEqual(LoadDeclaration(Declarations.TinyNamed, "Shop.TinyNamed").Fingerprint, LoadDeclaration(changed, "Shop.TinyNamed").Fingerprint);
    }

    /// <summary>TinyNamed with a multi-hot "tags" table (Sum, hotness 20) and the user table pooled by Mean.</summary>
    private static readonly string TinyMultiHot = Declarations.TinyNamed
        .Replace("[Categorical(\"user_id\", Cardinality = 1000)]", "[Categorical(\"user_id\", Cardinality = 1000, Pooling = Pooling.Mean, Hotness = 3)]")
        .Replace("public partial EmbeddingTable Country { get; }",
            "public partial EmbeddingTable Country { get; }\n    [Categorical(\"tags\", Pooling = Pooling.Sum, Hotness = 20)] public partial EmbeddingTable Tags { get; }");

    [Fact]
    public void A_multi_hot_table_carries_its_pooling_and_hotness()
    {
        Assert.Contains("Pooling.Sum", TinyMultiHot, StringComparison.Ordinal);
        ModelDeclaration d = LoadDeclaration(TinyMultiHot, "Shop.TinyNamed");
        Assert.True(d.HasMultiHotTables);
        Assert.Equal(new[] { Pooling.Mean, Pooling.None, Pooling.Sum }, d.Tables.Select(t => t.Pooling));
        Assert.Equal(new[] { 3, 1, 20 }, d.Tables.Select(t => t.Hotness));
        Assert.Equal(new[] { "user_id", "country", "tags" }, d.Tables.Select(t => t.ColumnName));
        Assert.False(LoadDeclaration(Declarations.TinyNamed, "Shop.TinyNamed").HasMultiHotTables);
    }

    [Theory]
    [InlineData("Pooling = Pooling.Sum, Hotness = 20", "Pooling = Pooling.Mean, Hotness = 20")]
    [InlineData("Pooling = Pooling.Sum, Hotness = 20", "Pooling = Pooling.Sum, Hotness = 5")]
    public void Changing_pooling_or_hotness_changes_the_fingerprint(string before, string after)
    {
        string changed = TinyMultiHot.Replace(before, after);
        Assert.NotEqual(TinyMultiHot, changed);
        Assert.NotEqual(LoadDeclaration(TinyMultiHot, "Shop.TinyNamed").Fingerprint, LoadDeclaration(changed, "Shop.TinyNamed").Fingerprint);
    }

    /// <summary>Compiles <paramref name="source"/> with the generator, loads it and returns the model's generated Declaration.</summary>
    private static ModelDeclaration LoadDeclaration(string source, string typeName)
    {
        Run run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(e => e.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;
        var context = new AssemblyLoadContext(typeName, isCollectible: true);
        try
        {
            Assembly assembly = context.LoadFromStream(stream);
            Type type = assembly.GetType(typeName)!;
            return (ModelDeclaration)type.GetProperty("Declaration", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        }
        finally
        {
            context.Unload();
        }
    }
}
