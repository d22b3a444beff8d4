namespace RobeGen.Generators.Tests;

/// <summary>The generated file of three small declarations (one per variant), compared with the checked-in snapshot.</summary>
public sealed class SnapshotTests
{
    [Theory]
    [InlineData(Declarations.TinyAuthors, "Sample.TinyAuthors.Dlrm")]
    [InlineData(Declarations.TinyCircular, "Sample.Nested.Space.TinyCircular.Dlrm")]
    [InlineData(Declarations.TinySigned, "TinySigned.Dlrm")]
    [InlineData(Declarations.TinyQr, "Sample.TinyQr.Dlrm")]
    public void Generated_source_matches_the_snapshot(string declaration, string name)
    {
        Run run = GeneratorHarness.Run(declaration);
        Assert.Empty(run.GeneratorDiagnostics);
        Snapshot.Verify(name, run.Source(name + ".g.cs"));
    }
}
