using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static RobeGen.Generators.DlrmGenerator;

namespace RobeGen.Generators.Tests;

/// <summary>The pipeline caches: edits that do not change a declaration re-run neither the model nor the output.</summary>
public sealed class IncrementalityTests
{
    private const string Unrelated = "namespace Other; public class Unrelated { }";

    /// <summary>Step results that mean "nothing new": taken from the cache, or re-run with an equal result.</summary>
    private static readonly IncrementalStepRunReason[] Reused = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    private static GeneratorRunResult RunTwice(string firstDeclaration, string secondDeclaration, string firstOther, string secondOther)
    {
        Compilation first = GeneratorHarness.Compilation(firstDeclaration, firstOther);
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(first);
        Compilation second = first
            .ReplaceSyntaxTree(first.SyntaxTrees.First(), CSharpSyntaxTree.ParseText(secondDeclaration, GeneratorHarness.ParseOptions, path: "Declaration0.cs"))
            .ReplaceSyntaxTree(first.SyntaxTrees.Last(), CSharpSyntaxTree.ParseText(secondOther, GeneratorHarness.ParseOptions, path: "Declaration1.cs"));
        return driver.RunGenerators(second).GetRunResult().Results.Single();
    }

    /// <summary>The reasons of a tracked step's outputs; never empty (an empty list would let the checks on it pass vacuously).</summary>
    private static IReadOnlyList<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step)
    {
        var reasons = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        return reasons;
    }

    /// <summary>The reasons of the source outputs' steps; never empty.</summary>
    private static IReadOnlyList<IncrementalStepRunReason> OutputReasons(GeneratorRunResult result)
    {
        var reasons = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        return reasons;
    }

    [Fact]
    public void An_edit_of_another_file_reuses_everything()
    {
        GeneratorRunResult result = RunTwice(Declarations.TinyAuthors, Declarations.TinyAuthors, Unrelated, Unrelated.Replace("{ }", "{ public int X; }"));
        foreach (string step in new[] { TrackingNames.Parse, TrackingNames.Model, TrackingNames.Diagnostics })
            Assert.All(Reasons(result, step), r => Assert.Contains(r, Reused));
        Assert.All(OutputReasons(result), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void A_whitespace_edit_of_the_declaration_keeps_the_model()
    {
        GeneratorRunResult result = RunTwice(Declarations.TinyAuthors, Declarations.TinyAuthors.Replace("public partial class", "public  partial   class"), Unrelated, Unrelated);
        Assert.All(Reasons(result, TrackingNames.Parse), r => Assert.Equal(IncrementalStepRunReason.Unchanged, r));
        Assert.All(Reasons(result, TrackingNames.Model), r => Assert.Contains(r, Reused));
        Assert.All(OutputReasons(result), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void A_changed_declaration_regenerates()
    {
        GeneratorRunResult result = RunTwice(Declarations.TinyAuthors, Declarations.TinyAuthors.Replace("Slots = 101", "Slots = 102"), Unrelated, Unrelated);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, TrackingNames.Model));
        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(result));
    }
}
