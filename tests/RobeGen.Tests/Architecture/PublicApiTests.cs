using System.Reflection;
using System.Text.RegularExpressions;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Architecture;

/// <summary>
/// The runtime's public types are exactly the ones docs/api.md lists (one line each, under their namespace): a type
/// becomes public on purpose, with a line saying what a user calls it for, or it stays internal.
/// </summary>
public sealed partial class PublicApiTests
{
    [Fact]
    public void The_public_types_are_the_ones_docs_api_md_lists()
    {
        var actual = typeof(IDlrmDefinition).Assembly.GetExportedTypes()
            .Where(t => !IsGeneratedModelMember(t))
            .Select(t => $"{t.Namespace}: {CSharpName(t)}")
            .ToHashSet();
        var documented = Documented(File.ReadAllLines(Path.Combine(Repository.Root, "docs", "api.md")));

        string[] undocumented = [.. actual.Except(documented).Order(StringComparer.Ordinal)];
        string[] notPublic = [.. documented.Except(actual).Order(StringComparer.Ordinal)];
        Assert.True(undocumented.Length == 0 && notPublic.Length == 0,
            $"Public but not in docs/api.md (document it there, or make it internal):\n  {string.Join("\n  ", undocumented)}\n" +
            $"In docs/api.md but not public:\n  {string.Join("\n  ", notPublic)}");
    }

    [Fact]
    public void The_list_is_read_per_namespace_and_skips_prose()
    {
        string[] markdown =
        [
            "# Title", "Text with `Code` in it.", "## RobeGen", "- `DlrmAttribute`: declares a model.",
            "    indented `Example` line", "## RobeGen.Data", "- `CriteoReader.Enumerator`: nested.", "| `RobeGen.Data` | table |",
        ];
        Assert.Equal(["RobeGen.Data: CriteoReader.Enumerator", "RobeGen: DlrmAttribute"], Documented(markdown).Order(StringComparer.Ordinal));
    }

    /// <summary>"Namespace: Type" of every "- `Type`: ..." line under a "## Namespace" heading.</summary>
    private static HashSet<string> Documented(IEnumerable<string> markdown)
    {
        var types = new HashSet<string>();
        string? ns = null;
        foreach (string line in markdown)
        {
            if (Heading().Match(line) is { Success: true } heading) ns = heading.Groups[1].Value;
            else if (line.StartsWith("## ", StringComparison.Ordinal)) ns = null;
            else if (ns is not null && Entry().Match(line) is { Success: true } entry) types.Add($"{ns}: {entry.Groups[1].Value}");
        }
        return types;
    }

    /// <summary>Types nested in a declared model are the generator's output, pinned by its snapshot tests.</summary>
    private static bool IsGeneratedModelMember(Type type)
    {
        for (Type? outer = type.DeclaringType; outer is not null; outer = outer.DeclaringType)
            if (outer.GetCustomAttribute<DlrmAttribute>() is not null) return true;
        return false;
    }

    private static string CSharpName(Type type)
    {
        string name = type.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick] + "<" + string.Join(", ", type.GetGenericArguments().Select(a => a.Name)) + ">";
        return type.DeclaringType is { } outer ? CSharpName(outer) + "." + name : name;
    }

    [GeneratedRegex(@"^## (RobeGen(?:\.\w+)*)\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^- `([\w.<>, ]+)`")]
    private static partial Regex Entry();
}
