namespace RobeGen.Tests.TestModels;

/// <summary>The repository the tests run from (for checks that read its source files and docs).</summary>
internal static class Repository
{
    /// <summary>The folder holding RobeGen.sln, found upward from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RobeGen.sln"))) return dir.FullName;
        throw new InvalidOperationException("RobeGen.sln not found above the test binaries");
    }
}
