using System.IO.Compression;
using RobeGen.Data;

namespace RobeGen.Tests.Data;

/// <summary>Criteo TSV files whose every line says which row it is (C1 = row * 31 + 7, I5 = row), gzip unless named .tsv.</summary>
internal static class CriteoTestFiles
{
    public static string Line(long row) =>
        $"{row % 2}\t{row % 97}\t\t-1\t0\t{row}\t4096\t12\t1\t2\t3\t4\t5\t6\t" + string.Join("\t", Enumerable.Range(0, 26).Select(i => (row * 31 + i * 0x1000 + 7).ToString("x8")));

    /// <summary>Files of <paramref name="rows"/> lines each, row numbers continuing across files.</summary>
    public static string[] Write(TempFolder temp, int rows, params string[] names) => Write(temp, names.Select(_ => rows).ToArray(), names);

    /// <summary>File k holds <paramref name="rows"/>[k] lines, row numbers continuing across files.</summary>
    public static string[] Write(TempFolder temp, int[] rows, string[] names)
    {
        long row = 0;
        for (int k = 0; k < names.Length; k++)
        {
            using Stream file = File.Create(temp.File(names[k]));
            using Stream target = names[k].EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionLevel.Fastest) : file;
            using var writer = new StreamWriter(target);
            for (int i = 0; i < rows[k]; i++) writer.Write(Line(row++) + "\n");
        }
        return names.Select(temp.File).ToArray();
    }

    /// <summary>The row a line of <see cref="Line"/> was, from its C1 token.</summary>
    public static long RowOf(ulong c1Token) => ((long)c1Token - 7) / 31;

    /// <summary>The rows of each batch, in order.</summary>
    public static long[] Rows(BatchCopy batch) =>
        Enumerable.Range(0, batch.Count).Select(r => RowOf(batch.Tokens[r * CriteoSchema.CategoricalFeatures])).ToArray();
}
