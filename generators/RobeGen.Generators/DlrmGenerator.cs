using Microsoft.CodeAnalysis;

namespace RobeGen.Generators;

/// <summary>Emits the layout, hashes, kernels and wiring of every [Dlrm] declaration.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class DlrmGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
