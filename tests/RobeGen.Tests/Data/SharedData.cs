namespace RobeGen.Tests.Data;

/// <summary>
/// Locates the shared real-data folder (a <c>shared/data</c> folder beside or above the repository), found by
/// walking up from the test binaries. Tests that need it use <see cref="SharedDataFactAttribute"/> and are skipped,
/// with a message, where it is absent.
/// </summary>
internal static class SharedData
{
    public static readonly string? Directory = Find();

    public const string Day0Head = "criteo_1tb_day0_head10k.tsv.gz";
    public const string KaggleHead = "criteo_kaggle_train_head10k.tsv.gz";
    public const string KaggleSample = "criteo_kaggle_train_sample10k.tsv.gz";
    public const string KaggleTest = "criteo_kaggle_test_unlabeled.tsv.gz";
    public const string Avazu = "avazu_train_sample.csv.gz";

    public static string PathOf(string name) =>
        Path.Combine(Directory ?? throw new InvalidOperationException("shared/data is absent"), name);

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, Day0Head))) return candidate;
        }
        return null;
    }
}

/// <summary>A fact that needs the shared Criteo samples; skipped (not passed) when they are absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (SharedData.Directory is null)
            Skip = "The shared Criteo samples (a shared/data folder above the test binaries) are absent on this machine.";
    }
}

/// <summary>A theory that needs the shared Criteo samples; skipped (not passed) when they are absent.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (SharedData.Directory is null)
            Skip = "The shared Criteo samples (a shared/data folder above the test binaries) are absent on this machine.";
    }
}
