using Microsoft.CodeAnalysis;

namespace RobeGen.Generators.Tests;

/// <summary>The generator never throws: broken sources give compiler errors (and maybe RG ones), failures become RG9999.</summary>
public sealed class RobustnessTests
{
    public static TheoryData<string> Garbage() => new()
    {
        "using RobeGen; [Dlrm(DenseFeatures = \"x\")] public partial class M { }",
        "using RobeGen; [Dlrm(",
        "using RobeGen; [Dlrm] public partial class M { [Categorical(Column = )] public partial EmbeddingTable A { get; } }",
        "using RobeGen; [Dlrm(BottomMlp = null, TopMlp = null)] public partial class M { [Categorical] public partial EmbeddingTable A { get; } }",
        "using RobeGen; [Dlrm] public partial struct S { }",
        "using RobeGen; [Dlrm] public partial class M { [Categorical] public partial EmbeddingTable this[int i] { get; } }",
        "using RobeGen; [Dlrm] public partial class M { [Categorical(Column = 0)] public partial Missing A { get; } }",
        "[Dlrm] public partial class NoUsing { [Categorical] public partial EmbeddingTable A { get; } }",
        "using RobeGen; [Dlrm, Dlrm] [RobeArray, RobeArray] public partial class M { [Categorical, Categorical] public partial EmbeddingTable A { get; } }",
        "using RobeGen; [Dlrm(DenseFeatures = int.MaxValue, EmbeddingDim = int.MaxValue, BottomMlp = new[] { int.MaxValue }, TopMlp = new[] { int.MaxValue })] "
            + "[RobeArray(Slots = long.MaxValue, BlockSize = int.MaxValue)] public partial class M { [Categorical(Column = int.MaxValue, Cardinality = long.MaxValue, Rows = long.MaxValue)] public partial EmbeddingTable A { get; } }",
        "using RobeGen; namespace N { [Dlrm] public partial class M { } } namespace N { public partial class M { [Categorical] public partial EmbeddingTable A { get; } } }",
        "using RobeGen; [Dlrm] public partial class @class { [Categorical(Column = 0)] public partial EmbeddingTable @int { get; } }",
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Broken_sources_never_crash_the_generator(string source)
    {
        Run run = GeneratorHarness.Run(source);
        Assert.Null(run.Single.Exception);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "RG9999");
    }

    [Fact]
    public void A_keyword_named_valid_model_compiles()
    {
        Run run = GeneratorHarness.Run("using RobeGen; namespace N; [Dlrm(DenseFeatures = 1, EmbeddingDim = 2, BottomMlp = new[] { 2 })] [RobeArray(Slots = 10, BlockSize = 2)] " +
            "public partial class @class { [Categorical(Column = 0)] public partial EmbeddingTable @int { get; } }");
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilerDiagnostics);
    }

    [Fact]
    public void A_parser_failure_becomes_RG9999()
    {
        var generator = new DlrmGenerator(new FaultInjection { ParseFailureClass = "Faulty" });
        Run run = GeneratorHarness.Run(generator, Declarations.Valid(classHeader: "public partial class Faulty"));
        Assert.Null(run.Single.Exception);
        Diagnostic error = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("RG9999", error.Id);
        Assert.Contains("fault injected into the parser", error.GetMessage());
        Assert.Empty(run.Single.GeneratedSources);
    }

    [Fact]
    public void An_emitter_failure_becomes_RG9999()
    {
        var generator = new DlrmGenerator(new FaultInjection { EmitFailureClass = "Faulty" });
        Run run = GeneratorHarness.Run(generator, Declarations.Valid(classHeader: "public partial class Faulty"));
        Assert.Null(run.Single.Exception);
        Diagnostic error = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("RG9999", error.Id);
        Assert.Contains("fault injected into the emitter", error.GetMessage());
    }

    [Fact]
    public void A_fault_hits_only_its_generator_and_its_class()
    {
        // The hook lives in one generator instance: the plain generator and other classes are unaffected.
        Run plain = GeneratorHarness.Run(Declarations.Valid(classHeader: "public partial class Faulty"));
        Assert.Empty(plain.GeneratorDiagnostics);
        Run other = GeneratorHarness.Run(new DlrmGenerator(new FaultInjection { EmitFailureClass = "Faulty" }), Declarations.TinyAuthors);
        Assert.Empty(other.GeneratorDiagnostics);
        Assert.Single(other.Single.GeneratedSources);
    }
}
