using Encoding = System.Text.Encoding;
using ParquetSharp;
using ParquetSharp.Schema;

namespace RobeGen.Data.Tabular;

/// <summary>A column of one row group read a chunk of rows at a time (<see cref="ParquetColumn"/>, <see cref="ParquetListColumn"/>).</summary>
internal interface IParquetChunk : IDisposable
{
    /// <summary>Reads the next <paramref name="rows"/> rows (at most the capacity); returns how many there were.</summary>
    int Read(int rows);
}

/// <summary>
/// A multi-hot column of one row group: a Parquet LIST (or a repeated field) of int32, int64 or strings (byte arrays as
/// UTF-8), read a chunk of rows at a time straight from the definition and repetition levels into tokens (the same
/// tokens as a single-hot cell of that value, <see cref="CellDecoder"/>): row i's ids are
/// <see cref="Ids"/>[<see cref="Starts"/>[i] .. <see cref="Starts"/>[i + 1]]. A null or empty list is an empty bag; a
/// null element is reported for its row (<see cref="ProblemRow"/>). The buffers are reused: nothing is allocated per row.
/// </summary>
internal sealed class ParquetListColumn : IParquetChunk
{
    private const int LevelBatch = 8192;
    private readonly ColumnReader _reader;
    private readonly Func<int, int> _readLevels;
    private readonly Func<int, string?> _decode;
    private readonly TokenRule _rule;
    private readonly short _maxDefinition;
    private readonly short _entryDefinition;
    private readonly short[] _definitions = new short[LevelBatch];
    private readonly short[] _repetitions = new short[LevelBatch];
    private int _levelAt;
    private int _levelCount;
    private int _valueAt;
    private ulong _token;
    private char[] _chars = new char[256];

    private ParquetListColumn(ColumnReader reader, int capacity, TokenRule rule)
    {
        _reader = reader;
        _rule = rule;
        ColumnDescriptor descriptor = reader.ColumnDescriptor;
        _maxDefinition = (short)descriptor.MaxDefinitionLevel;
        // A list entry exists from the repeated node's level on: the leaf's level, less one when the element may be null.
        using Node leaf = descriptor.SchemaNode;
        _entryDefinition = (short)(_maxDefinition - (leaf.Repetition == Repetition.Optional ? 1 : 0));
        Starts = new int[capacity + 1];
        switch (reader)
        {
            case ColumnReader<long> r:
                {
                    var values = new long[LevelBatch];
                    _readLevels = n => Levels(r, values, n);
                    _decode = i => CellDecoder.Token(values[i], _rule, out _token);
                    break;
                }
            case ColumnReader<int> r:
                {
                    var values = new int[LevelBatch];
                    _readLevels = n => Levels(r, values, n);
                    _decode = i => CellDecoder.Token(values[i], _rule, out _token);
                    break;
                }
            case ColumnReader<ByteArray> r:
                {
                    var values = new ByteArray[LevelBatch];
                    _readLevels = n => Levels(r, values, n);
                    _decode = i => Text(values[i]);
                    break;
                }
            default:
                throw new ArgumentException($"Unsupported element type {reader.Type}.", nameof(reader));
        }
    }

    /// <summary>Where each row's ids start in <see cref="Ids"/> (row i ends where row i + 1 starts).</summary>
    public int[] Starts { get; }
    /// <summary>The tokens of the rows read, row after row (grown as needed).</summary>
    public ulong[] Ids { get; private set; } = new ulong[1024];
    /// <summary>The first row of the chunk with a bad element (a null, or a value that is no id); -1 when none.</summary>
    public int ProblemRow { get; private set; } = -1;
    /// <summary>What is wrong with <see cref="ProblemRow"/>.</summary>
    public string? Problem { get; private set; }

    /// <summary>Why column <paramref name="descriptor"/> cannot be read as a multi-hot column; null when it can.</summary>
    public static string? Unsupported(ColumnDescriptor descriptor)
    {
        if (descriptor.MaxRepetitionLevel == 0) return "it holds one value per row, not a LIST";
        if (descriptor.MaxRepetitionLevel > 1) return "it is a list of lists (or a list inside a repeated group)";
        if (descriptor.PhysicalType is not (PhysicalType.Int32 or PhysicalType.Int64 or PhysicalType.ByteArray))
            return "its elements are not int32, int64 or strings";
        return null;
    }

    /// <summary>A reader of a list column of a row group (owning <paramref name="reader"/>); the column must pass <see cref="Unsupported"/>.</summary>
    public static ParquetListColumn Open(ColumnReader reader, int capacity, TokenRule rule) => new(reader, capacity, rule);

    public int Read(int rows)
    {
        ProblemRow = -1;
        Problem = null;
        int end = 0, read = 0;
        Starts[0] = 0;
        for (; read < rows && HasLevel(); read++)
        {
            int element = 0;
            do
            {
                short definition = _definitions[_levelAt++];
                if (definition == _maxDefinition)
                {
                    element++;
                    string? problem = _decode(_valueAt++);
                    if (problem is not null) Report(read, $"element {element} of the list: {problem}");
                    if (end == Ids.Length) Ids = GrowTo(Ids, end + 1);
                    Ids[end++] = _token;
                }
                else if (definition >= _entryDefinition)
                {
                    element++;
                    Report(read, $"element {element} of the list is null; a list holds ids (a null or empty list is an empty bag)");
                }
            }
            while (HasLevel() && _repetitions[_levelAt] != 0);
            Starts[read + 1] = end;
        }
        return read;
    }

    private void Report(int row, string problem)
    {
        if (ProblemRow >= 0) return;
        (ProblemRow, Problem) = (row, problem);
    }

    /// <summary>True when a level is buffered, reading the next batch of levels when the buffer is used up.</summary>
    private bool HasLevel()
    {
        if (_levelAt < _levelCount) return true;
        if (!_reader.HasNext) return false;
        (_levelAt, _valueAt) = (0, 0);
        _levelCount = _readLevels(LevelBatch);
        return _levelCount > 0;
    }

    private int Levels<T>(ColumnReader<T> reader, T[] values, int n) where T : unmanaged =>
        (int)reader.ReadBatch(n, _definitions, _repetitions, values, out _);

    /// <summary>A string (or byte array) element: its UTF-8 text, a token as a single-hot text cell would be.</summary>
    private unsafe string? Text(ByteArray value)
    {
        var bytes = new ReadOnlySpan<byte>((void*)value.Pointer, value.Length);
        if (bytes.Length == 0)
        {
            _token = EmbeddingTable.MissingRawToken;
            return "an empty string is no id";
        }
        int max = Encoding.UTF8.GetMaxCharCount(bytes.Length);
        if (max > _chars.Length) _chars = new char[Math.Max(max, 2 * _chars.Length)];
        int length = Encoding.UTF8.GetChars(bytes, _chars);
        return CellDecoder.Token(_chars.AsSpan(0, length), _rule, out _token);
    }

    private static ulong[] GrowTo(ulong[] ids, int needed)
    {
        var grown = new ulong[Math.Max(needed, 2 * ids.Length)];
        ids.CopyTo(grown, 0);
        return grown;
    }

    /// <summary>A short description of the column's type for messages.</summary>
    public static string TypeOf(ColumnDescriptor descriptor)
    {
        using LogicalType logical = descriptor.LogicalType;
        string type = logical.Type is LogicalTypeEnum.None or LogicalTypeEnum.Int ? descriptor.PhysicalType.ToString() : logical.Type.ToString();
        return (descriptor.MaxRepetitionLevel > 0 ? "a LIST of " : "") + type;
    }

    public void Dispose() => _reader.Dispose();
}
