namespace RobeGen.Data.Tabular;

/// <summary>The file formats <see cref="TabularData"/> reads.</summary>
public enum TabularFormat
{
    /// <summary>Delimited text with a header row (CSV, TSV, ...), plain or gzip: RFC 4180 quoting.</summary>
    DelimitedText = 0,
    /// <summary>Apache Parquet (flat columns of numbers, booleans or strings).</summary>
    Parquet = 1,
}

/// <summary>Tells the formats apart by a file's first bytes (Parquet files start with "PAR1"), not by its name.</summary>
public static class TabularFormats
{
    /// <summary>The format of the file at <paramref name="path"/>.</summary>
    public static TabularFormat Detect(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16);
        Span<byte> magic = stackalloc byte[4];
        int read = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        return read == 4 && magic.SequenceEqual("PAR1"u8) ? TabularFormat.Parquet : TabularFormat.DelimitedText;
    }
}
