using System.Diagnostics;

namespace RobeGen.Benchmarks;

/// <summary>
/// Reads every column of a Criteo Parquet file (label int32, I1..I13 and C1..C26 nullable int64, as robegen convert
/// writes it) with each .NET Parquet library, one row group at a time into reused arrays; returns the seconds.
/// </summary>
internal static class ParquetLibraries
{
    public static double ReadWithParquetSharp(string path)
    {
        var clock = Stopwatch.StartNew();
        using var file = new ParquetSharp.ParquetFileReader(path);
        long checksum = 0;
        for (int g = 0; g < file.FileMetaData!.NumRowGroups; g++)
        {
            using ParquetSharp.RowGroupReader group = file.RowGroup(g);
            int rows = (int)group.MetaData.NumRows;
            var labels = new int[rows];
            var values = new long?[rows];
            using (var c = group.Column(0).LogicalReader<int>()) c.ReadBatch(labels, 0, rows);
            for (int j = 1; j < file.FileMetaData.NumColumns; j++)
            {
                using var c = group.Column(j).LogicalReader<long?>();
                c.ReadBatch(values, 0, rows);
                checksum += values[0] ?? 0;
            }
        }
        if (checksum < 0) Console.WriteLine(checksum);
        return clock.Elapsed.TotalSeconds;
    }

    public static double ReadWithParquetNet(string path)
    {
        var clock = Stopwatch.StartNew();
        Parquet.ParquetReader file = Parquet.ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        try
        {
            Parquet.Schema.DataField[] fields = file.Schema.GetDataFields();
            long checksum = 0;
            for (int g = 0; g < file.RowGroupCount; g++)
            {
                using Parquet.ParquetRowGroupReader group = file.OpenRowGroupReader(g);
                int rows = (int)group.RowCount;
                var labels = new int[rows];
                var values = new long?[rows];
                group.ReadAsync<int>(fields[0], labels.AsMemory(), null, default).AsTask().GetAwaiter().GetResult();
                for (int j = 1; j < fields.Length; j++)
                {
                    group.ReadAsync<long>(fields[j], values.AsMemory(), null, default).AsTask().GetAwaiter().GetResult();
                    checksum += values[0] ?? 0;
                }
            }
            if (checksum < 0) Console.WriteLine(checksum);
        }
        finally
        {
            file.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return clock.Elapsed.TotalSeconds;
    }
}
