using ParquetSharp;

namespace RobeGen.Cli.Tests;

/// <summary><c>robegen convert</c>: Criteo TSV in, a Parquet file of the same rows out; a bad line is one error line.</summary>
public sealed class ConvertCommandTests
{
    [Fact]
    public void Converts_the_sample_to_parquet_of_the_same_rows()
    {
        using var scratch = new Scratch();
        string tsv = Robegen.RepositoryFile(Path.Combine("samples", "data", "criteo_1tb_day0_head10k.tsv.gz"));
        string parquet = Path.Combine(scratch.Path, "day0.parquet");
        var run = Robegen.Run("convert", "--data", tsv, "--out", parquet);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("wrote 10,000 rows", run.Stdout);

        using var file = new ParquetFileReader(parquet);
        Assert.Equal(10_000, file.FileMetaData!.NumRows);
        string[] names = Enumerable.Range(0, file.FileMetaData.Schema.NumColumns).Select(i => file.FileMetaData.Schema.Column(i).Name).ToArray();
        Assert.Equal(new[] { "label" }.Concat(Enumerable.Range(1, 13).Select(i => $"I{i}")).Concat(Enumerable.Range(1, 26).Select(i => $"C{i}")), names);
    }

    [Fact]
    public void A_criteo_model_reads_the_converted_parquet_and_a_csv_with_criteo_names_as_the_tsv()
    {
        using var scratch = new Scratch();
        string sample = Robegen.RepositoryFile(Path.Combine("samples", "data", "criteo_1tb_day0_head10k.tsv.gz"));
        string[] lines;
        using (var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(sample), System.IO.Compression.CompressionMode.Decompress)))
            lines = reader.ReadToEnd().TrimEnd('\n').Split('\n');
        string tsv = scratch.File("test.tsv"), csv = scratch.File("test.csv"), parquet = scratch.File("test.parquet"), model = scratch.File("m.rgck");
        File.WriteAllLines(tsv, lines[^2000..]);
        string header = string.Join(',', new[] { "label" }.Concat(Enumerable.Range(1, 13).Select(i => $"I{i}")).Concat(Enumerable.Range(1, 26).Select(i => $"C{i}")));
        File.WriteAllLines(csv, [header, .. lines[^2000..].Select(l => l.Replace('\t', ','))]);
        Assert.Equal(0, Robegen.Run("convert", "--data", tsv, "--out", parquet).ExitCode);
        var trained = Robegen.Run("train", "--data", sample, "--eval-data", parquet, "--max-steps", "30", "--save", model, "--threads", "2");
        Assert.True(trained.ExitCode == 0, trained.All);

        string[] results = [.. new[] { tsv, parquet, csv }.Select(data => Robegen.Run("eval", "--checkpoint", model, "--data", data, "--threads", "2"))
            .Select(r => r.ExitCode == 0 ? r.LastLine : r.All)];
        Assert.StartsWith("auc=", results[0]);
        Assert.EndsWith("rows=2000", results[0]);
        Assert.Equal(results[0], results[1]);
        Assert.Equal(results[0], results[2]);

        var mixed = Robegen.Run("eval", "--checkpoint", model, "--data", tsv, parquet);
        Assert.Equal(1, mixed.ExitCode);
        Assert.Equal($"robegen: error: --data mixes Criteo TSV ({tsv}) with files that have a header or are Parquet ({parquet}); give one kind.", mixed.Stderr.Trim());
    }

    [Fact]
    public void A_bad_line_is_one_error_line_and_exit_code_1()
    {
        using var scratch = new Scratch();
        string tsv = Path.Combine(scratch.Path, "bad.tsv");
        File.WriteAllText(tsv, "1\t" + string.Join("\t", Enumerable.Repeat("x", 39)) + "\n");
        var run = Robegen.Run("convert", "--data", tsv, "--out", Path.Combine(scratch.Path, "bad.parquet"));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"robegen: error: {tsv}, line 1, field I1 (column 2): not a decimal integer: 'x'", run.Stderr.Trim());
    }

    [Fact]
    public void Has_help()
    {
        var help = Robegen.Run("convert", "--help");
        Assert.True(help.ExitCode == 0, help.All);
        Assert.Contains("--out", help.Stdout);
    }
}
