using System.IO.Compression;

namespace RobeGen.Cli.Tests;

/// <summary>Small inputs for the CLI tests: the first rows of the repository's Criteo sample, and a model trained on them.</summary>
internal static class CliData
{
    public static string Sample => Robegen.RepositoryFile("samples/data/criteo_1tb_day0_head10k.tsv.gz");

    /// <summary>The first <paramref name="rows"/> lines of the sample as plain TSV in <paramref name="scratch"/>.</summary>
    public static string Rows(Scratch scratch, int rows = 300, string name = "data.tsv")
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(Sample), CompressionMode.Decompress));
        var lines = new List<string>();
        for (string? line; lines.Count < rows && (line = reader.ReadLine()) is not null;) lines.Add(line);
        string path = scratch.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>A checkpoint of a 2-step run on <paramref name="data"/>.</summary>
    public static string Model(Scratch scratch, string data, string name = "model.rgck")
    {
        string path = scratch.File(name);
        var run = Robegen.Run("train", "--data", data, "--max-steps", "2", "--save", path, "--threads", "1");
        Assert.True(run.ExitCode == 0, run.All);
        return path;
    }

    /// <summary>Asserts a one-line error with <paramref name="exitCode"/>, naming <paramref name="words"/>, with no stack trace.</summary>
    public static void AssertOneLineError(Robegen.Result run, int exitCode, params string[] words)
    {
        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}: {run.All}");
        string line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("robegen: error: ", line);
        foreach (string word in words) Assert.Contains(word, line);
        Assert.DoesNotContain("Unhandled", run.All);
        Assert.DoesNotContain("   at ", run.All);
    }
}
