using System.CommandLine;
using System.Diagnostics;
using RobeGen.Data.Tabular;

namespace RobeGen.Cli.Commands;

/// <summary><c>robegen convert</c>: Criteo TSV files as one Parquet file (columnar, Snappy-compressed).</summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var data = new Option<FileInfo[]>("--data")
        {
            Description = "Criteo TSV files (plain or gzip; labeled or test layout).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<FileInfo>("--out") { Description = "The Parquet file to write (label, I1..I13, C1..C26; replaced atomically).", Required = true };
        var rowGroup = new Option<int>("--row-group-rows") { Description = "Rows per Parquet row group.", DefaultValueFactory = _ => CriteoParquetConverter.DefaultRowGroupRows };
        var command = new Command("convert", "Write Criteo TSV files as Parquet, the columnar format Spark, DuckDB and pandas read; train from it like from the TSV.")
        {
            data, output, rowGroup,
        };
        command.SetAction(parse =>
        {
            FileInfo[] files = parse.GetValue(data)!;
            FileInfo target = parse.GetValue(output)!;
            var clock = Stopwatch.StartNew();
            long rows = CriteoParquetConverter.Convert(files.Select(f => f.FullName).ToArray(), target.FullName, parse.GetValue(rowGroup));
            target.Refresh();
            Console.WriteLine($"wrote {rows:N0} rows to {target.FullName} ({target.Length / 1e6:F1} MB) in {clock.Elapsed.TotalSeconds:F1} s");
            return 0;
        });
        return command;
    }
}
