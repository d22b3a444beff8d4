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
