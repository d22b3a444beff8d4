using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RobeGen.Generators.Tests;

/// <summary>Runs the generator on in-memory sources against .NET 10 reference assemblies, RobeGen, ILGPU and System.Numerics.Tensors.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private static readonly ImmutableArray<MetadataReference> References = Net100.References.All.Cast<MetadataReference>()
        .Concat(new[]
        {
            MetadataReference.CreateFromFile(typeof(ModelDeclaration).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location),
        })
        .ToImmutableArray();

    public static CSharpCompilation Compilation(params string[] sources) => CSharpCompilation.Create(
        "Declarations",
        sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Declaration{i}.cs")),
        References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true)
            // As the .NET SDK does by default: ILGPU was built against an older System.Runtime.
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));

    public static GeneratorDriver Driver(DlrmGenerator? generator = null) => CSharpGeneratorDriver.Create(
        new[] { (generator ?? new DlrmGenerator()).AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once.</summary>
    public static Run Run(params string[] sources) => Run(new DlrmGenerator(), sources);

    /// <summary>Runs <paramref name="generator"/> (one with a fault injected, say) once.</summary>
    public static Run Run(DlrmGenerator generator, params string[] sources)
    {
        CSharpCompilation input = Compilation(sources);
        GeneratorDriver driver = Driver(generator).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new Run(driver.GetRunResult(), output, diagnostics);
    }
}

/// <summary>One generator run: its result, the compilation with the generated sources, and the generator's diagnostics.</summary>
internal sealed record Run(GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public GeneratorRunResult Single => Assert.Single(Result.Results);

    /// <summary>The generated file with this hint name.</summary>
    public string Source(string hintName) =>
        Single.GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

    /// <summary>Compiler errors and warnings of the output compilation (generated code included), RG ones excluded.</summary>
    public ImmutableArray<Diagnostic> CompilerDiagnostics =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && !d.Id.StartsWith("RG", StringComparison.Ordinal)).ToImmutableArray();
}
