using System.Globalization;
using System.IO.Compression;
using RobeGen.Data;

namespace RobeGen.Tests.Data;

/// <summary>
/// The slow, obvious reading of a Criteo file (string.Split, long.Parse, Convert.ToUInt64), the independent
/// reference the streaming reader is checked against.
/// </summary>
internal static class ReferenceCriteoParser
{
    public sealed record Row(float Label, float[] Dense, ulong[] Tokens);

    public static List<string> ReadLines(string path)
    {
        using Stream file = File.OpenRead(path);
        using Stream data = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(data);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }

    public static Row Parse(string line, CriteoLayout layout)
    {
        string[] fields = line.Split('\t');
        Assert.Equal(CriteoSchema.FieldCount(layout), fields.Length);
        int first = layout == CriteoLayout.Labeled ? 1 : 0;
        float label = layout == CriteoLayout.Labeled ? float.Parse(fields[0], CultureInfo.InvariantCulture) : 0f;
        var dense = new float[13];
        for (int i = 0; i < 13; i++)
        {
            string f = fields[first + i];
            long x = f.Length == 0 ? 0 : long.Parse(f, CultureInfo.InvariantCulture);
            dense[i] = (float)Math.Log(1.0 + Math.Max(x, 0));
        }
        var tokens = new ulong[26];
        for (int i = 0; i < 26; i++)
        {
            string f = fields[first + 13 + i];
            tokens[i] = f.Length == 0 ? 1UL << 32 : Convert.ToUInt64(f, 16);
        }
        return new Row(label, dense, tokens);
    }

    public static void AssertRowEquals(Row expected, Batch batch, int row, string where)
    {
        Assert.True(expected.Label == batch.Labels[row], $"{where}: label");
        for (int i = 0; i < 13; i++)
            Assert.True(expected.Dense[i] == batch.Dense[row * 13 + i], $"{where}: I{i + 1} {expected.Dense[i]} vs {batch.Dense[row * 13 + i]}");
        for (int i = 0; i < 26; i++)
            Assert.True(expected.Tokens[i] == batch.Tokens[row * 26 + i], $"{where}: C{i + 1}");
    }
}
