using ParquetSharp;

namespace RobeGen.Data.Tabular;

/// <summary>
/// A Parquet file read row group by row group, a chunk of rows at a time, into model-shaped rows: only the model's
/// columns are read (by name; top-level flat columns of numbers, booleans or strings, and for a multi-hot table a LIST
/// of int32, int64 or strings, <see cref="ParquetListColumn"/>). A list where the model reads one value, or one value
/// where it reads a list, is refused naming the file and the column; a bad value stops the read naming the file, the
/// row and the column.
/// </summary>
internal sealed class ParquetRowReader : ITabularFileReader
{
    private const int ChunkRows = 4096;
    private readonly ParquetFileReader _file;
    private readonly ModelColumns _columns;
    private readonly string _path;
    private readonly bool _labeled;
    /// <summary>File column of each input: the label (when labeled), the dense columns, the categorical columns.</summary>
    private readonly int[] _fileColumns;
    private readonly string[] _names;
    /// <summary>Per input: a multi-hot table's list column.</summary>
    private readonly bool[] _multiHot;
    private RowGroupReader? _group;
    private int _groupIndex = -1;
    private long _groupRowsLeft;
    private IParquetChunk[]? _open;
    private long _row;

    public ParquetRowReader(string path, ModelColumns columns, bool labeled)
    {
        (_path, _columns, _labeled) = (path, columns, labeled);
        try
        {
            _file = new ParquetFileReader(path);
        }
        catch (ParquetException e)
        {
            throw new DataFormatException(path, 0, null, 0, $"not a readable Parquet file ({e.Message.Split('\n')[0]})", e);
        }
        try
        {
            SchemaDescriptor schema = _file.FileMetaData!.Schema;
            var topNames = new string[schema.NumColumns];
            for (int i = 0; i < topNames.Length; i++) topNames[i] = schema.Column(i).Path.ToDotVector()[0];
            HeaderBinding binding = HeaderBinding.Bind(topNames, columns, labeled, path, 0, "Parquet schema");
            _fileColumns = (labeled ? [binding.Label] : Array.Empty<int>()).Concat(binding.Dense).Concat(binding.Categorical).ToArray();
            _names = _fileColumns.Select(c => topNames[c]).ToArray();
            _multiHot = new bool[_fileColumns.Length];
            int firstTable = _fileColumns.Length - columns.Categorical.Length;
            for (int input = 0; input < _fileColumns.Length; input++)
            {
                int c = _fileColumns[input];
                int table = input - firstTable;
                ColumnDescriptor descriptor = schema.Column(c);
                bool list = descriptor.MaxRepetitionLevel > 0;
                string type = ParquetListColumn.TypeOf(descriptor);
                if (table >= 0 && columns.MultiHot[table])
                {
                    _multiHot[input] = true;
                    if (ParquetListColumn.Unsupported(descriptor) is { } why)
                        throw new DataFormatException(path, 0, topNames[c], c + 1,
                            $"column '{topNames[c]}' is {type}: {why}; the model reads it as multi-hot (Pooling = {columns.Pooling[table]}), "
                            + "a LIST of int32, int64 or strings per row");
                }
                else if (list)
                {
                    string what = table >= 0 ? "single-hot (declare the table with Pooling = Sum or Mean to read lists)" : input == 0 && labeled ? "the label" : "a dense input";
                    throw new DataFormatException(path, 0, topNames[c], c + 1,
                        $"column '{topNames[c]}' is {type} (multi-hot); the model reads it as {what}, one value per row");
                }
            }
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    public void Skip(long rows)
    {
        while (rows > 0 && NextGroupIfDone())
        {
            if (_open is null && rows >= _groupRowsLeft)
            {
                // A whole row group is passed over without reading a value.
                (rows, _row, _groupRowsLeft) = (rows - _groupRowsLeft, _row + _groupRowsLeft, 0);
                continue;
            }
            int n = ReadChunk((int)Math.Min(rows, ChunkRows));
            rows -= n;
        }
    }

    public int Read(Batch batch, int maxRows)
    {
        int rows = 0;
        while (rows < maxRows && NextGroupIfDone())
        {
            long first = _row;
            int n = ReadChunk(Math.Min(maxRows - rows, ChunkRows));
            for (int i = 0; i < n; i++) Decode(i, batch, batch.Count + i, first + i + 1);
            batch.Count += n;
            rows += n;
        }
        return rows;
    }

    /// <summary>Moves to the next row group when the current one is used up; false after the last.</summary>
    private bool NextGroupIfDone()
    {
        while (_groupRowsLeft == 0)
        {
            CloseGroup();
            if (++_groupIndex >= _file.FileMetaData!.NumRowGroups) return false;
            _group = _file.RowGroup(_groupIndex);
            _groupRowsLeft = _group.MetaData.NumRows;
        }
        return true;
    }

    /// <summary>Reads the next <paramref name="rows"/> values of every model column (opened at the group's first chunk).</summary>
    private int ReadChunk(int rows)
    {
        _open ??= _fileColumns.Select(OpenColumn).ToArray();
        int n = (int)Math.Min(rows, _groupRowsLeft);
        foreach (IParquetChunk column in _open)
            if (column.Read(n) != n) throw new DataFormatException(_path, "row", _row + 1, null, 0, $"row group {_groupIndex} ends before its {_group!.MetaData.NumRows} rows");
        (_row, _groupRowsLeft) = (_row + n, _groupRowsLeft - n);
        return n;
    }

    private IParquetChunk OpenColumn(int fileColumn, int input)
    {
        ColumnReader reader = _group!.Column(fileColumn);
        if (_multiHot[input]) return ParquetListColumn.Open(reader, ChunkRows, _columns.Tokens);
        // The logical reader owns the column reader from here (its Dispose releases both).
        if (ParquetColumn.Open(reader, ChunkRows) is { } column) return column;
        string type = reader.ColumnDescriptor.LogicalType.ToString() ?? reader.ColumnDescriptor.PhysicalType.ToString();
        reader.Dispose();
        throw new DataFormatException(_path, 0, _names[input], fileColumn + 1, $"column '{_names[input]}' has type {type}; the model reads numbers, booleans or strings");
    }

    private void Decode(int i, Batch batch, int row, long fileRow)
    {
        int input = 0;
        float label = 0;
        if (_labeled) Check(Label((ParquetColumn)_open![input++], i, out label), 0, fileRow);
        batch.Labels[row] = label;
        int dense = _columns.Dense.Length;
        for (int d = 0; d < dense; d++, input++)
        {
            Check(Dense((ParquetColumn)_open![input], i, out double value, out bool missing), input, fileRow);
            batch.Dense[row * dense + d] = _columns.DenseInput(d, value, missing);
        }
        int tables = _columns.Categorical.Length;
        if (batch.IsMultiHot)
        {
            DecodeBags(i, batch, row, fileRow, input);
            return;
        }
        if (_columns.HasMultiHot) throw new InvalidOperationException("A model with a multi-hot table reads into batches of bags.");
        for (int t = 0; t < tables; t++, input++)
        {
            Check(Token((ParquetColumn)_open![input], i, out ulong token), input, fileRow);
            batch.Tokens[row * tables + t] = token;
        }
    }

    /// <summary>The categorical cells of chunk row <paramref name="i"/> as bags: a multi-hot table's list, a single-hot table's one id.</summary>
    private void DecodeBags(int i, Batch batch, int row, long fileRow, int input)
    {
        int end = BagWriter.RowStart(batch, row);
        int tables = _columns.Categorical.Length;
        for (int t = 0; t < tables; t++, input++)
        {
            if (_open![input] is ParquetListColumn list)
            {
                if (list.ProblemRow == i) Check(list.Problem, input, fileRow);
                ReadOnlySpan<ulong> ids = list.Ids.AsSpan(list.Starts[i], list.Starts[i + 1] - list.Starts[i]);
                batch.EnsureIdCapacity(end + ids.Length);
                ids.CopyTo(batch.BagIds.AsSpan(end));
                end += ids.Length;
            }
            else
            {
                Check(Token((ParquetColumn)_open[input], i, out ulong token), input, fileRow);
                BagWriter.Add(batch, ref end, token);
            }
            BagWriter.EndCell(batch, row, t, end);
        }
    }

    private static string? Label(ParquetColumn c, int i, out float label)
    {
        label = 0;
        if (!c.Present[i]) return "the label is missing (null)";
        return c.Kind switch
        {
            ParquetValueKind.Integer => CellDecoder.Label(c.Integers[i], out label),
            ParquetValueKind.Real => CellDecoder.Label(c.Reals[i], out label),
            _ => CellDecoder.Label(c.Texts[i], out label),
        };
    }

    private static string? Dense(ParquetColumn c, int i, out double value, out bool missing)
    {
        (value, missing) = (0, !c.Present[i]);
        if (missing) return null;
        switch (c.Kind)
        {
            case ParquetValueKind.Integer: value = c.Integers[i]; return null;
            case ParquetValueKind.Real: value = c.Reals[i]; return double.IsFinite(value) ? null : $"not a finite number: {value}";
            default: return CellDecoder.Dense(c.Texts[i], out value, out missing);
        }
    }

    private string? Token(ParquetColumn c, int i, out ulong token)
    {
        token = EmbeddingTable.MissingRawToken;
        if (!c.Present[i]) return null;
        return c.Kind switch
        {
            ParquetValueKind.Integer => CellDecoder.Token(c.Integers[i], _columns.Tokens, out token),
            ParquetValueKind.Text => CellDecoder.Token(c.Texts[i], _columns.Tokens, out token),
            _ => c.Reals[i] == Math.Floor(c.Reals[i]) && Math.Abs(c.Reals[i]) < 1e18
                ? CellDecoder.Token((long)c.Reals[i], _columns.Tokens, out token)
                : $"a categorical value must be an integer or text, found {c.Reals[i]}",
        };
    }

    private void Check(string? problem, int input, long fileRow)
    {
        if (problem is not null) throw new DataFormatException(_path, "row", fileRow, _names[input], _fileColumns[input] + 1, problem);
    }

    private void CloseGroup()
    {
        if (_open is not null) foreach (IParquetChunk c in _open) c.Dispose();
        _open = null;
        _group?.Dispose();
        _group = null;
    }

    public void Dispose()
    {
        CloseGroup();
        _file.Dispose();
    }
}
