using System.Text.RegularExpressions;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Architecture;

/// <summary>A source file's namespace is its project's root namespace plus its folder path, so the tree shows the namespaces.</summary>
public sealed partial class FolderNamespaceTests
{
    /// <summary>
    /// The root namespace RobeGen holds what the generated code references (declaration attributes, the layout, the
    /// kernel interfaces, the hashing and the kernels it calls); its files are grouped by topic in these two folders
    /// and their subfolders.
    /// </summary>
    private static readonly string[] RootNamespaceFolders = ["Declaration", "Embedding"];

    [Theory]
    [InlineData("RobeGen")]
    [InlineData("RobeGen.Lab")]
    public void Every_file_declares_the_namespace_of_its_folder(string project)
    {
        string root = Path.Combine(Repository.Root, "src", project);
        var wrong = new List<string>();
        int checkedFiles = 0;
        foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal)) continue;
            Match declared = NamespaceLine().Match(File.ReadAllText(file));
            if (!declared.Success) continue; // assembly attributes only
            checkedFiles++;
            string folder = Path.GetDirectoryName(relative)!.Replace('/', '.').Replace('\\', '.');
            bool inRoot = folder.Length == 0 || (project == "RobeGen" && RootNamespaceFolders.Contains(folder.Split('.')[0]));
            string expected = inRoot ? project : $"{project}.{folder}";
            if (declared.Groups[1].Value != expected) wrong.Add($"{relative}: namespace {declared.Groups[1].Value}, folder says {expected}");
        }
        Assert.True(checkedFiles > 5, $"only {checkedFiles} files found under {root}");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
