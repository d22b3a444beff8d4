using ParquetSharp;

namespace RobeGen.Data.Tabular;

/// <summary>A model input read from a Parquet file: its file column, name, kind and (for a dense input) its index.</summary>
internal sealed record ParquetInput(int FileColumn, string Name, ParquetInputKind Kind, int DenseIndex);

/// <summary>
/// Decodes one column of one row group into a <see cref="ParquetColumnValues"/>: a chunk of values at a time from
/// ParquetSharp (<see cref="ParquetColumn"/>, <see cref="ParquetListColumn"/>), each cell turned into its label, dense
/// input or token by a loop of one kind, so a cell costs no dispatch on the column's type. The first bad cell is kept
/// for its row, not thrown; a column whose type the model cannot read is a <see cref="DataFormatException"/>.
/// Needs nothing shared: several threads decode columns of the same file at once, each through its own file reader.
/// </summary>
internal sealed class ParquetColumnDecoder(string path, ModelColumns columns)
{
    private const int ChunkRows = 4096;

    /// <summary>Rows [skip, skip + rows) of <paramref name="input"/>'s column in row group <paramref name="group"/> of <paramref name="file"/>.</summary>
    public void Decode(ParquetFileReader file, int group, ParquetInput input, long skip, int rows, ParquetColumnValues into)
    {
        into.Reset(input.Kind, rows);
        using RowGroupReader rowGroup = file.RowGroup(group);
        long groupRows = rowGroup.MetaData.NumRows;
        using IParquetChunk chunk = Open(rowGroup.Column(input.FileColumn), input);
        for (long left = skip; left > 0;)
        {
            int n = chunk.Read((int)Math.Min(left, ChunkRows));
            if (n == 0) break;
            left -= n;
        }
        if (input.Kind == ParquetInputKind.Bag) into.Starts[0] = 0;
        for (int at = 0; at < rows;)
        {
            int n = chunk.Read(Math.Min(rows - at, ChunkRows));
            if (n == 0)
            {
                into.Report(at, $"row group {group} ends before its {groupRows} rows");
                return;
            }
            if (chunk is ParquetListColumn list) Bags(list, at, n, into);
            else Cells((ParquetColumn)chunk, input, at, n, into);
            at += n;
        }
    }

    private IParquetChunk Open(ColumnReader reader, ParquetInput input)
    {
        if (input.Kind == ParquetInputKind.Bag) return ParquetListColumn.Open(reader, ChunkRows, columns.Tokens);
        // The column owns the column reader from here (its Dispose releases it, and the logical reader wrapping it if any).
        if (ParquetColumn.Open(reader, ChunkRows) is { } column) return column;
        string type = reader.ColumnDescriptor.LogicalType.ToString() ?? reader.ColumnDescriptor.PhysicalType.ToString();
        reader.Dispose();
        throw new DataFormatException(path, 0, input.Name, input.FileColumn + 1, $"column '{input.Name}' has type {type}; the model reads numbers, booleans or strings");
    }

    private void Cells(ParquetColumn c, ParquetInput input, int at, int n, ParquetColumnValues into)
    {
        switch (input.Kind)
        {
            case ParquetInputKind.Label:
                for (int i = 0; i < n; i++)
                    if (Label(c, i, out into.Floats[at + i]) is { } problem) into.Report(at + i, problem);
                break;
            case ParquetInputKind.Dense when c.Kind == ParquetValueKind.Integer:
                // The common case (Criteo's int64 columns): no cell can be wrong.
                for (int i = 0; i < n; i++) into.Floats[at + i] = columns.DenseInput(input.DenseIndex, c.Integers[i], !c.Present[i]);
                break;
            case ParquetInputKind.Dense:
                for (int i = 0; i < n; i++)
                {
                    if (Dense(c, i, out double value, out bool missing) is { } problem) into.Report(at + i, problem);
                    into.Floats[at + i] = columns.DenseInput(input.DenseIndex, value, missing);
                }
                break;
            default:
                for (int i = 0; i < n; i++)
                    if (Token(c, i, out into.Tokens[at + i]) is { } problem) into.Report(at + i, problem);
                break;
        }
    }

    /// <summary>A list chunk's ids appended after the rows before it; its first bad element reported for its row.</summary>
    private static void Bags(ParquetListColumn list, int at, int n, ParquetColumnValues into)
    {
        if (list.ProblemRow >= 0) into.Report(at + list.ProblemRow, list.Problem!);
        int start = into.Starts[at], count = list.Starts[n];
        into.EnsureIds(start + count);
        list.Ids.AsSpan(0, count).CopyTo(into.Ids.AsSpan(start));
        for (int i = 1; i <= n; i++) into.Starts[at + i] = start + list.Starts[i];
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
            ParquetValueKind.Integer => CellDecoder.Token(c.Integers[i], columns.Tokens, out token),
            ParquetValueKind.Text => CellDecoder.Token(c.Texts[i], columns.Tokens, out token),
            _ => c.Reals[i] == Math.Floor(c.Reals[i]) && Math.Abs(c.Reals[i]) < 1e18
                ? CellDecoder.Token((long)c.Reals[i], columns.Tokens, out token)
                : $"a categorical value must be an integer or text, found {c.Reals[i]}",
        };
    }
}
