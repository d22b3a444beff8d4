using System.Globalization;
using ParquetSharp;

namespace RobeGen.Data.Tabular;

/// <summary>
/// Writes Criteo TSV files (plain or gzip) as one Parquet file that Spark, DuckDB and pandas read: columns label
/// (int32; labeled files only), I1..I13 (int64, null where missing) and C1..C26 (int64, the 32-bit id of the hex
/// text, null where missing), Snappy-compressed, in row groups. The values are the file's own, untransformed: a
/// model reads them with the same transform and tokens as from the TSV (<see cref="TabularData"/>).
/// </summary>
public static class CriteoParquetConverter
{
    /// <summary>Rows per row group: large enough for columnar compression, small enough to stream.</summary>
    public const int DefaultRowGroupRows = 1 << 17;

    /// <summary>Converts <paramref name="tsvFiles"/> (one layout, detected from the first file) into <paramref name="parquetPath"/>; returns the rows written.</summary>
    public static long Convert(IReadOnlyList<string> tsvFiles, string parquetPath, int rowGroupRows = DefaultRowGroupRows)
    {
        ArgumentNullException.ThrowIfNull(tsvFiles);
        if (tsvFiles.Count == 0) throw new ArgumentException("At least one TSV file is needed.", nameof(tsvFiles));
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupRows, 1);
        CriteoLayout layout = CriteoLayoutDetector.Detect(tsvFiles[0]);
        bool labeled = layout == CriteoLayout.Labeled;
        var columns = new List<Column>();
        if (labeled) columns.Add(new Column<int>(ModelDeclaration.CriteoLabel));
        for (int i = 1; i <= CriteoSchema.DenseFeatures; i++) columns.Add(new Column<long?>($"I{i}"));
        for (int i = 1; i <= CriteoSchema.CategoricalFeatures; i++) columns.Add(new Column<long?>($"C{i}"));

        string temporary = parquetPath + ".partial";
        long rows = 0;
        var group = new RowGroupBuffer(rowGroupRows);
        try
        {
            using (WriterProperties properties = new WriterPropertiesBuilder().Compression(Compression.Snappy).Build())
            using (var writer = new ParquetFileWriter(temporary, columns.ToArray(), properties))
            {
                foreach (string file in tsvFiles)
                {
                    using var reader = new StreamReader(InputFile.OpenRead(file));
                    long line = 0;
                    string? text;
                    while ((text = reader.ReadLine()) is not null)
                    {
                        line++;
                        group.Add(text, layout, file, line);
                        if (group.Count == rowGroupRows) rows += group.WriteTo(writer, labeled);
                    }
                }
                rows += group.WriteTo(writer, labeled);
                writer.Close();
            }
            File.Move(temporary, parquetPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        return rows;
    }

    /// <summary>One row group's values, column by column.</summary>
    private sealed class RowGroupBuffer(int capacity)
    {
        private readonly int[] _labels = new int[capacity];
        private readonly long?[][] _dense = Enumerable.Range(0, CriteoSchema.DenseFeatures).Select(_ => new long?[capacity]).ToArray();
        private readonly long?[][] _ids = Enumerable.Range(0, CriteoSchema.CategoricalFeatures).Select(_ => new long?[capacity]).ToArray();

        public int Count { get; private set; }

        /// <summary>Parses one TSV line into the next row; a bad field is a <see cref="DataFormatException"/> naming file, line and field.</summary>
        public void Add(string line, CriteoLayout layout, string file, long lineNumber)
        {
            ReadOnlySpan<char> rest = line.AsSpan().TrimEnd('\r');
            int expected = CriteoSchema.FieldCount(layout);
            int fields = rest.Count('\t') + 1;
            if (fields != expected)
                throw new DataFormatException(file, lineNumber, null, 0, $"the line has {fields} tab-separated fields, expected {expected} (the layout of the first file)");
            int field = 0;
            ReadOnlySpan<char> Next(ref ReadOnlySpan<char> text)
            {
                int tab = text.IndexOf('\t');
                ReadOnlySpan<char> value = tab < 0 ? text : text[..tab];
                text = tab < 0 ? default : text[(tab + 1)..];
                return value;
            }
            DataFormatException Bad(string reason) => new(file, lineNumber, CriteoSchema.FieldName(layout, field), field + 1, reason);
            int row = Count;
            if (layout == CriteoLayout.Labeled)
            {
                ReadOnlySpan<char> label = Next(ref rest);
                if (label is not ("0" or "1")) throw Bad($"the label must be 0 or 1, found '{CellDecoder.Shown(label)}'");
                _labels[row] = label[0] - '0';
                field++;
            }
            for (int i = 0; i < CriteoSchema.DenseFeatures; i++, field++)
            {
                ReadOnlySpan<char> value = Next(ref rest);
                if (value.IsEmpty) { _dense[i][row] = null; continue; }
                if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
                    throw Bad($"not a decimal integer: '{CellDecoder.Shown(value)}'");
                _dense[i][row] = number;
            }
            for (int i = 0; i < CriteoSchema.CategoricalFeatures; i++, field++)
            {
                ReadOnlySpan<char> value = Next(ref rest);
                string? problem = CellDecoder.Token(value, TokenRule.CriteoHex, out ulong token);
                if (problem is not null) throw Bad(problem);
                _ids[i][row] = token == EmbeddingTable.MissingRawToken ? null : (long)token;
            }
            Count++;
        }

        /// <summary>Writes the buffered rows as one row group (none when empty) and starts over; returns the rows written.</summary>
        public int WriteTo(ParquetFileWriter writer, bool labeled)
        {
            int rows = Count;
            if (rows == 0) return 0;
            using RowGroupWriter group = writer.AppendRowGroup();
            if (labeled)
                using (LogicalColumnWriter<int> column = group.NextColumn().LogicalWriter<int>()) column.WriteBatch(_labels, 0, rows);
            foreach (long?[] values in _dense.Concat(_ids))
                using (LogicalColumnWriter<long?> column = group.NextColumn().LogicalWriter<long?>()) column.WriteBatch(values, 0, rows);
            Count = 0;
            return rows;
        }
    }
}
