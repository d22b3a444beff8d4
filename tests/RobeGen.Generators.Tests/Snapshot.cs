namespace RobeGen.Generators.Tests;

/// <summary>
/// Exact comparison of generated source with a checked-in file under Snapshots/. Set ROBEGEN_UPDATE_SNAPSHOTS=1 to
/// accept the current output (review the diff before committing it). A mismatch also writes a .received.cs file.
/// </summary>
internal static class Snapshot
{
    public const string UpdateVariable = "ROBEGEN_UPDATE_SNAPSHOTS";

    public static void Verify(string name, string actual)
    {
        string verified = Path.Combine(RepositoryPaths.SnapshotDirectory, name + ".verified.cs");
        string received = Path.Combine(RepositoryPaths.SnapshotDirectory, name + ".received.cs");
        actual = Normalize(actual);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(RepositoryPaths.SnapshotDirectory);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }
        if (!File.Exists(verified))
        {
            File.WriteAllText(received, actual);
            Assert.Fail($"No snapshot {verified}; the output is in {received}. Run the tests with {UpdateVariable}=1 to accept it.");
        }
        string expected = Normalize(File.ReadAllText(verified));
        if (expected != actual) File.WriteAllText(received, actual);
        else File.Delete(received);
        Assert.Equal(expected, actual);
    }

    // Line ends may change on checkout (core.autocrlf) and a BOM may appear; neither is part of the generated code.
    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');
}
