namespace RobeGen.Data.Tabular;

/// <summary>
/// Reads RFC 4180 records from text: fields separated by one delimiter character, records ended by LF or CRLF,
/// a field in double quotes may hold the delimiter, line breaks and doubled quotes (""). Blank lines are skipped.
/// A record's fields stay valid until the next <see cref="Read"/>; nothing is allocated per record.
/// </summary>
internal sealed class DelimitedRecordReader : IDisposable
{
    private const char Quote = '"';
    private readonly TextReader _reader;
    private readonly string _path;
    private readonly char _delimiter;
    private readonly char[] _block = new char[1 << 16];
    private int _blockPosition;
    private int _blockLength;
    private char[] _text = new char[1024];
    private int _textLength;
    private int[] _starts = new int[64];
    private int[] _ends = new int[64];
    private long _nextLine = 1;

    public DelimitedRecordReader(TextReader reader, string path, char delimiter)
    {
        if (delimiter is Quote or '\r' or '\n') throw new ArgumentException($"'{delimiter}' cannot separate fields.", nameof(delimiter));
        (_reader, _path, _delimiter) = (reader, path, delimiter);
    }

    /// <summary>Fields of the current record.</summary>
    public int FieldCount { get; private set; }

    /// <summary>1-based line where the current record starts (a quoted field may span lines).</summary>
    public long Line { get; private set; }

    /// <summary>Field <paramref name="index"/> of the current record, quotes removed.</summary>
    public ReadOnlySpan<char> Field(int index) => _text.AsSpan(_starts[index], _ends[index] - _starts[index]);

    /// <summary>Reads the next non-blank record; false at the end of the text.</summary>
    public bool Read()
    {
        while (true)
        {
            if (!ReadRecord()) return false;
            if (FieldCount > 1 || _ends[0] > _starts[0]) return true;
        }
    }

    private bool ReadRecord()
    {
        FieldCount = 0;
        _textLength = 0;
        Line = _nextLine;
        if (Peek() < 0) return false;
        while (true)
        {
            int start = _textLength;
            if (Peek() == Quote)
            {
                Advance();
                ReadQuoted();
                int after = Peek();
                AddField(start);
                if (after < 0) return true;
                if (after == _delimiter) { Advance(); continue; }
                if (after is '\r' or '\n') { EndLine(); return true; }
                throw new DataFormatException(_path, _nextLine, null, 0,
                    $"'{(char)after}' follows the closing quote of field {FieldCount}; a quoted field ends at the delimiter or the line end (write a quote inside one as \"\")");
            }
            int c;
            while ((c = Peek()) >= 0 && c != _delimiter && c != '\n' && c != '\r')
            {
                Append((char)c);
                Advance();
            }
            AddField(start);
            if (c < 0) return true;
            if (c == _delimiter) { Advance(); continue; }
            EndLine();
            return true;
        }
    }

    /// <summary>The inside of a quoted field, up to and including its closing quote.</summary>
    private void ReadQuoted()
    {
        long opened = _nextLine;
        while (true)
        {
            int c = Peek();
            if (c < 0) throw new DataFormatException(_path, opened, null, 0, $"a quoted field opened on line {opened} is never closed");
            Advance();
            if (c == Quote)
            {
                if (Peek() != Quote) return;
                Advance();
            }
            else if (c == '\n')
            {
                _nextLine++;
            }
            Append((char)c);
        }
    }

    private void EndLine()
    {
        if (Peek() == '\r') Advance();
        if (Peek() == '\n') Advance();
        _nextLine++;
    }

    private void AddField(int start)
    {
        if (FieldCount == _starts.Length)
        {
            Array.Resize(ref _starts, _starts.Length * 2);
            Array.Resize(ref _ends, _ends.Length * 2);
        }
        _starts[FieldCount] = start;
        _ends[FieldCount] = _textLength;
        FieldCount++;
    }

    private void Append(char c)
    {
        if (_textLength == _text.Length) Array.Resize(ref _text, _text.Length * 2);
        _text[_textLength++] = c;
    }

    private int Peek()
    {
        if (_blockPosition == _blockLength)
        {
            _blockLength = _reader.Read(_block, 0, _block.Length);
            _blockPosition = 0;
            if (_blockLength == 0) return -1;
        }
        return _block[_blockPosition];
    }

    private void Advance() => _blockPosition++;

    public void Dispose() => _reader.Dispose();
}
