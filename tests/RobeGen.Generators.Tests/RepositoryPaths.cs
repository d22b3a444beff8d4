using System.Runtime.CompilerServices;

namespace RobeGen.Generators.Tests;

/// <summary>Source folders, found from this file's compile-time path (the tests run where they were built).</summary>
internal static class RepositoryPaths
{
    public static string TestDirectory => Path.GetDirectoryName(ThisFile())!;

    public static string SnapshotDirectory => Path.Combine(TestDirectory, "Snapshots");

    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(TestDirectory, "..", ".."));

    public static string GeneratorDirectory => Path.Combine(RepositoryRoot, "generators", "RobeGen.Generators");

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
