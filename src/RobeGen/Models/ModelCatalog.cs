namespace RobeGen.Models;

/// <summary>The reference models that ship with RobeGen, by their command-line names.</summary>
public static class ModelCatalog
{
    /// <summary>Command-line name -> definition.</summary>
    public static IReadOnlyDictionary<string, IDlrmDefinition> Builtin { get; } = new Dictionary<string, IDlrmDefinition>(StringComparer.OrdinalIgnoreCase)
    {
        ["criteo-kaggle"] = CriteoKaggle.Definition,
        ["criteo-terabyte"] = CriteoTerabyte.Definition,
        ["criteo-terabyte-dcnv2"] = CriteoTerabyteDcnV2.Definition,
        ["criteo-terabyte-dcnv2-multihot"] = CriteoTerabyteDcnV2MultiHot.Definition,
    };

    /// <summary>The model called <paramref name="name"/> on the command line.</summary>
    public static IDlrmDefinition Get(string name) =>
        Builtin.TryGetValue(name, out IDlrmDefinition? definition) ? definition
        : throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Builtin.Keys)}.", nameof(name));

    /// <summary>The built-in model whose declaration has this full class name, or null.</summary>
    public static IDlrmDefinition? FindByDeclarationName(string declarationName) =>
        Builtin.Values.FirstOrDefault(d => d.Declaration.Name == declarationName);
}
