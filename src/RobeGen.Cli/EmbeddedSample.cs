namespace RobeGen.Cli;

/// <summary>
/// The Criteo 1TB sample built into the tool (10,000 rows of day_0, CC BY-NC-SA 4.0 Criteo): written once to the
/// temp folder so that the reader can stream it like any other file.
/// </summary>
internal static class EmbeddedSample
{
    public const string ResourceName = "criteo_1tb_day0_head10k.tsv.gz";
    public const string Attribution = "Criteo 1TB Click Logs, day_0 first 10,000 rows (CC BY-NC-SA 4.0, Criteo)";

    public static string Extract()
    {
        using Stream resource = typeof(EmbeddedSample).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded sample {ResourceName} is missing from this build.");
        string path = Path.Combine(Path.GetTempPath(), $"robegen-{resource.Length}-{ResourceName}");
        if (File.Exists(path) && new FileInfo(path).Length == resource.Length) return path;
        string temp = path + "." + Environment.ProcessId + ".tmp";
        using (var file = File.Create(temp)) resource.CopyTo(file);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
