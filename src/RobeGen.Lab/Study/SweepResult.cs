using System.Globalization;

namespace RobeGen.Lab.Study;

/// <summary>One trained cell of a sweep: a method at a compression ratio (0 for Full) with one seed.</summary>
internal sealed record SweepResult(
    string Method, string Label, double Ratio, int Seed, long EmbeddingBytes, long ModelBytes,
    double Auc, double LogLoss, long TrainRows, double Seconds, string Device)
{
    /// <summary>True when this result is for (<paramref name="method"/>, <paramref name="ratio"/>, <paramref name="seed"/>).</summary>
    public bool Is(string method, double ratio, int seed) => Method == method && Ratio == ratio && Seed == seed;
}

/// <summary>
/// Sweep results as CSV, one line per cell, appended as each cell finishes: an interrupted sweep (or one split over
/// several commands) continues where it stopped, and the table and plot are drawn from everything in the file.
/// </summary>
internal static class SweepResultsFile
{
    private const string Header = "method,label,ratio,seed,embedding_bytes,model_bytes,auc,logloss,train_rows,seconds,device";

    public static IReadOnlyList<SweepResult> Load(string path)
    {
        if (!File.Exists(path)) return [];
        var results = new List<SweepResult>();
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            if (line.Length == 0) continue;
            string[] f = line.Split(',');
            if (f.Length != 11) throw new FormatException($"{path}: '{line}' is not a sweep result line ({Header}).");
            results.Add(new SweepResult(f[0], f[1], D(f[2]), int.Parse(f[3], CultureInfo.InvariantCulture), long.Parse(f[4], CultureInfo.InvariantCulture),
                long.Parse(f[5], CultureInfo.InvariantCulture), D(f[6]), D(f[7]), long.Parse(f[8], CultureInfo.InvariantCulture), D(f[9]), f[10]));
        }
        return results;
    }

    public static void Append(string path, SweepResult r)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
        bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
        using var writer = new StreamWriter(path, append: true);
        if (fresh) writer.WriteLine(Header);
        writer.WriteLine(string.Join(',', Clean(r.Method), Clean(r.Label), S(r.Ratio), S(r.Seed), S(r.EmbeddingBytes), S(r.ModelBytes),
            S(r.Auc), S(r.LogLoss), S(r.TrainRows), S(r.Seconds), Clean(r.Device)));
    }

    private static string Clean(string s) => s.Replace(',', ';');
    private static string S(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}
