using System.Text.RegularExpressions;

namespace RobeGen.Generators.Tests;

/// <summary>The generated file of three small declarations (one per variant), compared with the checked-in snapshot.</summary>
public sealed class SnapshotTests
{
    [Theory]
    [InlineData(Declarations.TinyAuthors, "Sample.TinyAuthors.Dlrm")]
    [InlineData(Declarations.TinyCircular, "Sample.Nested.Space.TinyCircular.Dlrm")]
    [InlineData(Declarations.TinySigned, "TinySigned.Dlrm")]
    [InlineData(Declarations.TinyQr, "Sample.TinyQr.Dlrm")]
    [InlineData(Declarations.TinyDcn, "Sample.TinyDcn.Dlrm")]
    public void Generated_source_matches_the_snapshot(string declaration, string name)
    {
        Run run = GeneratorHarness.Run(declaration);
        Assert.Empty(run.GeneratorDiagnostics);
        Snapshot.Verify(name, run.Source(name + ".g.cs"));
    }

    /// <summary>Comments of generated code may point into this repository, never to a file that is not in it.</summary>
    [Theory]
    [InlineData(Declarations.TinyAuthors)]
    [InlineData(Declarations.TinyCircular)]
    [InlineData(Declarations.TinySigned)]
    [InlineData(Declarations.TinyQr)]
    [InlineData(Declarations.TinyDcn)]
    public void Generated_source_names_only_files_of_the_repository(string declaration)
    {
        string source = GeneratorHarness.Run(declaration).Single.GeneratedSources.Single().SourceText.ToString();
        Assert.DoesNotContain("robe-spec", source);
        foreach (Match path in Regex.Matches(source, @"[\w.-]+(/[\w.-]+)*\.(md|cs|json|txt|csproj)\b"))
            Assert.True(File.Exists(Path.Combine(RepositoryPaths.RepositoryRoot, path.Value)), $"{path.Value} is not a file of the repository");
    }
}
