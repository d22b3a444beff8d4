namespace RobeGen.Data;

/// <summary>
/// Input that does not follow its format. The message names the file, the 1-based line, the field (name and
/// 1-based column) when one is at fault, and what is wrong.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>An error at line <paramref name="line"/> of a text file.</summary>
    public DataFormatException(string filePath, long line, string? field, int column, string reason, Exception? inner = null)
        : this(filePath, "line", line, field, column, reason, inner)
    {
    }

    /// <summary>An error at <paramref name="unit"/> ("line" of a text file, "row" of a Parquet file) number <paramref name="line"/>.</summary>
    public DataFormatException(string filePath, string unit, long line, string? field, int column, string reason, Exception? inner = null)
        : base(Compose(filePath, unit, line, field, column, reason), inner)
    {
        Unit = unit;
        FilePath = filePath;
        Line = line;
        Field = field;
        Column = column;
        Reason = reason;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }
    /// <summary>1-based line number; 0 when the problem is not tied to a line (for example a corrupt gzip stream).</summary>
    public long Line { get; }
    /// <summary>Field name such as "label", "I5" or "C12"; null when the line as a whole is at fault.</summary>
    public string? Field { get; }
    /// <summary>1-based column of <see cref="Field"/>; 0 when no field is named.</summary>
    public int Column { get; }
    /// <summary>What is wrong, without the place.</summary>
    public string Reason { get; }
    /// <summary>What <see cref="Line"/> counts: "line" (text files) or "row" (Parquet files, 1-based, the data rows).</summary>
    public string Unit { get; } = "line";

    private static string Compose(string filePath, string unit, long line, string? field, int column, string reason)
    {
        string where = line > 0 ? $"{filePath}, {unit} {line}" : filePath;
        if (field is not null) where += $", field {field} (column {column})";
        return $"{where}: {reason}";
    }
}
