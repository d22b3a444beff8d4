using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using RobeGen.Generators.Diagnostics;
using RobeGen.Generators.Emitting;
using RobeGen.Generators.Model;
using RobeGen.Generators.Parsing;

namespace RobeGen.Generators;

/// <summary>
/// Emits the layout, hashes, kernels and wiring of every [Dlrm] declaration. Pipeline: [Dlrm] classes ->
/// <see cref="DlrmParser"/> (equatable <see cref="ParseResult"/>) -> the model to <see cref="DlrmEmitter"/> and,
/// separately, the diagnostics to the reporter, so that an edit elsewhere re-runs neither.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DlrmGenerator : IIncrementalGenerator
{
    private readonly FaultInjection? _faults;

    public DlrmGenerator() { }

    /// <summary>A generator whose parser or emitter fails on purpose (tests of RG9999).</summary>
    internal DlrmGenerator(FaultInjection faults) => _faults = faults;

    /// <summary>Tracking names of the pipeline steps (the incrementality tests look for them).</summary>
    public static class TrackingNames
    {
        public const string Parse = nameof(Parse);
        public const string Model = nameof(Model);
        public const string Stub = nameof(Stub);
        public const string Diagnostics = nameof(Diagnostics);
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        FaultInjection? faults = _faults;
        IncrementalValuesProvider<ParseResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                DlrmParser.DlrmAttributeName,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                (syntaxContext, cancellationToken) => DlrmParser.Parse(syntaxContext, faults, cancellationToken))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<DlrmModel> models = results
            .Where(static r => r.Model is not null)
            .Select(static (r, _) => r.Model!)
            .WithTrackingName(TrackingNames.Model);

        IncrementalValuesProvider<StubModel> stubs = results
            .Where(static r => r.Stub is not null)
            .Select(static (r, _) => r.Stub!)
            .WithTrackingName(TrackingNames.Stub);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (r, _) => r.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(models, (spc, model) =>
            AddSource(spc, model.HintName, model.FullName, () =>
            {
                faults?.BeforeEmit(model.ClassName);
                return DlrmEmitter.Emit(model);
            }));
        context.RegisterSourceOutput(stubs, static (spc, stub) =>
            AddSource(spc, stub.HintName, stub.ClassName, () => DlrmEmitter.EmitStub(stub)));
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (DiagnosticInfo diagnostic in list) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });
    }

    /// <summary>Emits one file; an emitter failure becomes RG9999 instead of crashing the compiler.</summary>
    private static void AddSource(SourceProductionContext context, string hintName, string modelName, Func<string> emit)
    {
        string source;
        try
        {
            source = emit();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, modelName, e.GetType().Name + ": " + e.Message));
            return;
        }
        context.AddSource(hintName, SourceText.From(source, System.Text.Encoding.UTF8));
    }
}
