using System.Text;

namespace RobeGen.Data.Tabular;

/// <summary>
/// A delimited text file (CSV, TSV, ...; plain or gzip) with a header row naming its columns, read record by record
/// into model-shaped rows. Every record must have the header's field count; a bad cell stops the read with a
/// <see cref="DataFormatException"/> naming the file, the line and the column.
/// </summary>
internal sealed class DelimitedFileReader : ITabularFileReader
{
    private readonly DelimitedRecordReader _records;
    private readonly ModelColumns _columns;
    private readonly HeaderBinding _binding;
    private readonly string[] _header;
    private readonly string _path;
    private readonly char _listSeparator;

    /// <param name="listSeparator">Separates the ids of a multi-hot cell (distinct from <paramref name="delimiter"/>).</param>
    public DelimitedFileReader(string path, ModelColumns columns, char delimiter, bool labeled, char listSeparator = TabularData.DefaultListSeparator)
    {
        if (listSeparator == delimiter) throw new ArgumentException($"The list separator '{Printable(listSeparator)}' is the field delimiter.", nameof(listSeparator));
        _path = path;
        _columns = columns;
        _listSeparator = listSeparator;
        _records = new DelimitedRecordReader(new StreamReader(InputFile.OpenRead(path), Encoding.UTF8, detectEncodingFromByteOrderMarks: true), path, delimiter);
        try
        {
            if (!_records.Read()) throw new DataFormatException(path, 1, null, 0, "the file is empty; a header row naming the columns must come first");
            _header = new string[_records.FieldCount];
            for (int i = 0; i < _header.Length; i++) _header[i] = _records.Field(i).Trim().ToString();
            string unit = $"header (line {_records.Line}, '{Printable(delimiter)}'-separated)";
            _binding = HeaderBinding.Bind(_header, columns, labeled, path, _records.Line, unit);
        }
        catch
        {
            _records.Dispose();
            throw;
        }
    }

    public void Skip(long rows)
    {
        for (long r = 0; r < rows; r++)
            if (!NextRecord()) return;
    }

    public int Read(Batch batch, int maxRows)
    {
        int rows = 0;
        while (rows < maxRows && NextRecord())
        {
            Decode(batch, batch.Count);
            batch.Count++;
            rows++;
        }
        return rows;
    }

    private bool NextRecord()
    {
        if (!_records.Read()) return false;
        if (_records.FieldCount != _header.Length)
        {
            string field = _records.FieldCount < _header.Length ? _header[_records.FieldCount] : "(extra)";
            int column = Math.Min(_records.FieldCount, _header.Length) + 1;
            throw new DataFormatException(_path, _records.Line, field, column,
                $"the line has {_records.FieldCount} fields, the header has {_header.Length} (an unquoted delimiter inside a value?)");
        }
        return true;
    }

    private void Decode(Batch batch, int row)
    {
        HeaderBinding b = _binding;
        float label = 0;
        if (b.Label >= 0) Check(CellDecoder.Label(_records.Field(b.Label), out label), b.Label);
        batch.Labels[row] = label;
        int dense = b.Dense.Length;
        for (int i = 0; i < dense; i++)
        {
            int at = b.Dense[i];
            Check(CellDecoder.Dense(_records.Field(at), out double value, out bool missing), at);
            batch.Dense[row * dense + i] = _columns.DenseInput(i, value, missing);
        }
        int tables = b.Categorical.Length;
        if (batch.IsMultiHot)
        {
            DecodeBags(batch, row);
            return;
        }
        if (_columns.HasMultiHot) throw new InvalidOperationException("A model with a multi-hot table reads into batches of bags.");
        for (int t = 0; t < tables; t++)
        {
            int at = b.Categorical[t];
            Check(CellDecoder.Token(_records.Field(at), _columns.Tokens, out ulong token), at);
            batch.Tokens[row * tables + t] = token;
        }
    }

    /// <summary>The categorical cells of a row as bags: a list per multi-hot table, one id per single-hot one.</summary>
    private void DecodeBags(Batch batch, int row)
    {
        int[] categorical = _binding.Categorical;
        int end = BagWriter.RowStart(batch, row);
        for (int t = 0; t < categorical.Length; t++)
        {
            int at = categorical[t];
            if (_columns.MultiHot[t])
            {
                Check(CellDecoder.Bag(_records.Field(at), _listSeparator, _columns.Tokens, batch, ref end), at);
            }
            else
            {
                Check(CellDecoder.Token(_records.Field(at), _columns.Tokens, out ulong token), at);
                BagWriter.Add(batch, ref end, token);
            }
            BagWriter.EndCell(batch, row, t, end);
        }
    }

    private void Check(string? problem, int column)
    {
        if (problem is not null) throw new DataFormatException(_path, _records.Line, _header[column], column + 1, problem);
    }

    private static string Printable(char c) => c == '\t' ? "\\t" : c.ToString();

    public void Dispose() => _records.Dispose();
}
