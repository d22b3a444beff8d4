namespace RobeGen.Data;

/// <summary>
/// Raw lines for one batch, as the file reader hands them to a parser: the lines' bytes back to back, each
/// ended by '\n' (one is added after a file's unterminated last line), and which file and line each came from.
/// Buffers grow to the largest batch seen and are then reused.
/// </summary>
internal sealed class LineChunk
{
    private int[] _segmentFile = new int[4];
    private long[] _segmentLine = new long[4];
    private int[] _segmentFirstRow = new int[4];

    public LineChunk(int lines, int expectedBytesPerLine)
    {
        Bytes = new byte[Math.Max(1024, lines * expectedBytesPerLine)];
        LineStarts = new int[lines + 1];
    }

    public byte[] Bytes { get; private set; }
    /// <summary>Bytes in use.</summary>
    public int Length { get; private set; }
    /// <summary>Line i is Bytes[LineStarts[i] .. LineStarts[i + 1]) and ends with '\n'.</summary>
    public int[] LineStarts { get; }
    public int LineCount { get; private set; }
    /// <summary>Runs of lines from one file: segment k starts at row SegmentFirstRow[k], which is line SegmentLine[k] (0-based) of file SegmentFile[k].</summary>
    public int SegmentCount { get; private set; }
    public DataPosition Start { get; set; }
    public DataPosition End { get; set; }

    public ReadOnlySpan<byte> Line(int row) => Bytes.AsSpan(LineStarts[row], LineStarts[row + 1] - LineStarts[row]);

    /// <summary>Bytes of the line being assembled (not yet ended by '\n').</summary>
    public int PendingLineBytes => Length - LineStarts[LineCount];

    public void Reset()
    {
        Length = 0;
        LineCount = 0;
        SegmentCount = 0;
        LineStarts[0] = 0;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (Length + bytes.Length > Bytes.Length)
        {
            var grown = new byte[Math.Max(Bytes.Length * 2, Length + bytes.Length)];
            Bytes.AsSpan(0, Length).CopyTo(grown);
            Bytes = grown;
        }
        bytes.CopyTo(Bytes.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>Ends the pending line (its '\n' must already be appended).</summary>
    public void EndLine() => LineStarts[++LineCount] = Length;

    /// <summary>Marks that the lines appended from now on come from <paramref name="file"/>, starting at its line <paramref name="line"/>.</summary>
    public void BeginSegment(int file, long line)
    {
        if (SegmentCount == _segmentFile.Length)
        {
            Array.Resize(ref _segmentFile, SegmentCount * 2);
            Array.Resize(ref _segmentLine, SegmentCount * 2);
            Array.Resize(ref _segmentFirstRow, SegmentCount * 2);
        }
        _segmentFile[SegmentCount] = file;
        _segmentLine[SegmentCount] = line;
        _segmentFirstRow[SegmentCount] = LineCount;
        SegmentCount++;
    }

    /// <summary>File index and 0-based line number of row <paramref name="row"/> (only used to report problems).</summary>
    public (int File, long Line) Locate(int row)
    {
        int k = SegmentCount - 1;
        while (_segmentFirstRow[k] > row) k--;
        return (_segmentFile[k], _segmentLine[k] + (row - _segmentFirstRow[k]));
    }
}
