using System.Globalization;
using System.IO.Compression;
using RobeGen.Data;

namespace RobeGen.Onnx.Tests;

/// <summary>
/// Criteo rows parsed the slow obvious way (split on tabs), independently of the product's reader: the raw dense
/// integers (what an ONNX caller passes) and the 26 raw ids (hex; a missing id is MissingRawToken).
/// </summary>
internal sealed class CriteoRows
{
    private CriteoRows(float[] labels, long[] dense, ulong[] ids)
    {
        Labels = labels;
        Dense = dense;
        Ids = ids;
    }

    public int Count => Labels.Length;
    public float[] Labels { get; }
    /// <summary>[row, 13] raw integers (0 where missing).</summary>
    public long[] Dense { get; }
    /// <summary>[row, 26] raw ids.</summary>
    public ulong[] Ids { get; }

    /// <summary>The first <paramref name="count"/> lines of the in-repo Criteo 1TB sample (samples/data), which every clone has.</summary>
    public static IEnumerable<string> SampleLines(int count)
    {
        string path = Path.Combine(RepositoryRoot(), "samples", "data", "criteo_1tb_day0_head10k.tsv.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        for (int i = 0; i < count && reader.ReadLine() is { } line; i++) yield return line;
    }

    /// <summary>The first <paramref name="count"/> rows of the in-repo sample, parsed.</summary>
    public static CriteoRows Sample(int count)
    {
        var labels = new List<float>();
        var dense = new List<long>();
        var ids = new List<ulong>();
        foreach (string line in SampleLines(count))
        {
            string[] fields = line.Split('\t');
            Assert.Equal(40, fields.Length);
            labels.Add(float.Parse(fields[0], CultureInfo.InvariantCulture));
            for (int i = 0; i < 13; i++) dense.Add(fields[1 + i].Length == 0 ? 0 : long.Parse(fields[1 + i], CultureInfo.InvariantCulture));
            for (int i = 0; i < 26; i++)
                ids.Add(fields[14 + i].Length == 0 ? EmbeddingTable.MissingRawToken : ulong.Parse(fields[14 + i], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
        return new CriteoRows([.. labels], [.. dense], [.. ids]);
    }

    /// <summary>Rows <paramref name="start"/>.. as a batch of the model's tables (dense transformed as Criteo: log(1 + x) for x &gt; 0, else 0).</summary>
    public Batch ToBatch(ModelDeclaration declaration, int start, int rows, Func<int, int, ulong>? idOf = null)
    {
        idOf ??= (row, column) => Ids[row * 26 + column];
        var batch = new Batch(rows, declaration.DenseFeatures, declaration.TableCount) { Count = rows };
        for (int b = 0; b < rows; b++)
        {
            int row = start + b;
            batch.Labels[b] = Labels[row];
            for (int i = 0; i < 13; i++)
            {
                long x = Dense[row * 13 + i];
                batch.Dense[b * 13 + i] = x > 0 ? (float)Math.Log(1.0 + x) : 0f;
            }
            for (int t = 0; t < declaration.TableCount; t++)
                batch.Tokens[b * declaration.TableCount + t] = idOf(row, declaration.Tables[t].Column);
        }
        return batch;
    }

    /// <summary>All 26 columns of rows <paramref name="start"/>.. as a Criteo batch (what the vocabulary builder counts).</summary>
    public Batch ToCriteoBatch(int start, int rows)
    {
        Batch batch = CriteoSchema.CreateBatch(rows);
        batch.Count = rows;
        Array.Copy(Ids, start * 26, batch.Tokens, 0, rows * 26);
        return batch;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RobeGen.sln"))) return dir.FullName;
        throw new InvalidOperationException("RobeGen.sln not found above the test binaries");
    }
}
