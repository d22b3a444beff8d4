namespace RobeGen.Data;

/// <summary>
/// The single sequential reader of the pipeline: reads the files one after another (decompressing gzip, on
/// background threads ahead of it when asked: <see cref="FilePrefetcher"/>) and cuts the byte stream into chunks of
/// a fixed number of lines. A UTF-8 byte order mark at the start of a file is
/// dropped; a last line without '\n' still counts as a line. Not thread-safe: one thread owns it. With a file stride
/// of n it reads every n-th file from its start (one lane of <see cref="InterleavedChunker"/>).
/// </summary>
internal sealed class LineChunker : ILineSource
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly IReadOnlyList<string> _files;
    private readonly int _maxLineBytes;
    private readonly bool _forceTrailerCheck;
    private readonly bool _cutLongLines;
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _bufferStart;
    private int _bufferEnd;
    private Stream? _stream;
    private int _fileIndex;
    private long _lineInFile;
    private long _pendingSkip;
    private readonly DataPosition? _end;
    private readonly FilePrefetcher? _prefetcher;
    private readonly int _fileStride;

    /// <param name="inflateThreads">Files read (and inflated) ahead on background threads (<see cref="FilePrefetcher"/>);
    /// 0 reads each file on the calling thread.</param>
    /// <param name="fileStride">The file read after file k is file k + <paramref name="fileStride"/>.</param>
    /// <param name="cutLongLines">Keep only the first <paramref name="maxLineBytes"/> bytes of a longer line (with SkipBadRows: no valid
    /// line is that long, so the parser rejects the cut line and the run goes on) instead of stopping.</param>
    public LineChunker(IReadOnlyList<string> files, DataPosition start, int maxLineBytes, bool forceTrailerCheck = false, DataPosition? end = null,
        int inflateThreads = 0, bool cutLongLines = false, int fileStride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fileStride, 1);
        _fileStride = fileStride;
        _cutLongLines = cutLongLines;
        _end = end;
        _forceTrailerCheck = forceTrailerCheck;
        if (start.FileIndex < 0 || start.FileIndex > files.Count || start.Line < 0 || (start.FileIndex == files.Count && start.Line > 0))
            throw new ArgumentOutOfRangeException(nameof(start), start, $"The start position is outside the {files.Count} input files.");
        _files = files;
        _maxLineBytes = maxLineBytes;
        _fileIndex = start.FileIndex;
        _pendingSkip = start.Line;
        if (inflateThreads > 0)
            _prefetcher = new FilePrefetcher(files, start.FileIndex, end?.FileIndex ?? files.Count - 1, inflateThreads, forceTrailerCheck, fileStride);
    }

    /// <summary>Where the next line comes from (lines still to be skipped to reach the start position count as read).</summary>
    public DataPosition Position => new(_fileIndex, _lineInFile + _pendingSkip);

    /// <summary>Fills <paramref name="chunk"/> with up to <paramref name="lines"/> lines; false when the input is exhausted and the chunk is empty.</summary>
    public bool Fill(LineChunk chunk, int lines)
    {
        chunk.Reset();
        chunk.Start = Position;
        bool segmentOpen = false;
        while (chunk.LineCount < lines)
        {
            if (chunk.PendingLineBytes == 0 && ReachedEnd()) break;
            if (_stream is null)
            {
                if (_fileIndex >= _files.Count) break;
                OpenCurrentFile();
                segmentOpen = false;
            }
            if (!segmentOpen)
            {
                chunk.BeginSegment(_fileIndex, _lineInFile);
                segmentOpen = true;
            }
            if (_bufferStart == _bufferEnd && !Refill())
            {
                if (chunk.PendingLineBytes > 0)
                {
                    chunk.Append("\n"u8);
                    chunk.EndLine();
                    _lineInFile++;
                }
                CloseCurrentFile();
                continue;
            }
            ReadOnlySpan<byte> available = _buffer.AsSpan(_bufferStart, _bufferEnd - _bufferStart);
            int newline = available.IndexOf((byte)'\n');
            int take = newline < 0 ? available.Length : newline + 1;
            if (chunk.PendingLineBytes + take > _maxLineBytes + 1 && _cutLongLines)
            {
                int room = Math.Max(0, Math.Min(take, _maxLineBytes - chunk.PendingLineBytes));
                if (room > 0) chunk.Append(available[..room]);
                _bufferStart += take;
                if (newline >= 0)
                {
                    chunk.Append("\n"u8);
                    chunk.EndLine();
                    _lineInFile++;
                }
                continue;
            }
            if (chunk.PendingLineBytes + take > _maxLineBytes + 1)
                throw new DataFormatException(_files[_fileIndex], _lineInFile + 1, null, 0,
                    $"line is longer than {_maxLineBytes} bytes (is this a Criteo TSV file?)");
            chunk.Append(available[..take]);
            _bufferStart += take;
            if (newline >= 0)
            {
                chunk.EndLine();
                _lineInFile++;
            }
        }
        chunk.End = Position;
        return chunk.LineCount > 0;
    }

    /// <summary>True once the next line to read is at or past the optional end position.</summary>
    private bool ReachedEnd()
    {
        if (_end is not DataPosition end) return false;
        DataPosition next = Position;
        return next.FileIndex > end.FileIndex || (next.FileIndex == end.FileIndex && next.Line >= end.Line);
    }

    private void OpenCurrentFile()
    {
        string path = _files[_fileIndex];
        _stream = _prefetcher?.Open(_fileIndex) ?? InputFile.OpenRead(path, _forceTrailerCheck);
        _lineInFile = 0;
        _bufferStart = _bufferEnd = 0;
        // A BOM can only be recognized once three bytes are in: read until then (or the end).
        while (_bufferEnd < 3 && ReadMore()) { }
        if (_buffer.AsSpan(0, _bufferEnd).StartsWith(Utf8Bom)) _bufferStart = 3;
        if (_pendingSkip > 0) SkipLines(path);
    }

    private void SkipLines(string path)
    {
        while (_pendingSkip > 0)
        {
            if (_bufferStart == _bufferEnd && !Refill())
            {
                // An unterminated last line is still a line.
                throw new ArgumentOutOfRangeException("start",
                    $"The start position is line {_lineInFile + _pendingSkip} of {path}, but the file has only {_lineInFile} lines.");
            }
            int newline = _buffer.AsSpan(_bufferStart, _bufferEnd - _bufferStart).IndexOf((byte)'\n');
            if (newline < 0)
            {
                _bufferStart = _bufferEnd;
                if (!Refill())
                {
                    // EOF inside an unterminated last line: that line counts.
                    _lineInFile++;
                    _pendingSkip--;
                    if (_pendingSkip > 0) continue;
                    return;
                }
                continue;
            }
            _bufferStart += newline + 1;
            _lineInFile++;
            _pendingSkip--;
        }
    }

    /// <summary>Reads more bytes after the current ones; false at the end of the file.</summary>
    private bool Refill()
    {
        _bufferStart = _bufferEnd = 0;
        return ReadMore();
    }

    private bool ReadMore()
    {
        int read;
        try
        {
            read = _stream!.Read(_buffer, _bufferEnd, _buffer.Length - _bufferEnd);
        }
        catch (InvalidDataException e)
        {
            throw GzipDamage.Error(_files[_fileIndex], _lineInFile, e);
        }
        _bufferEnd += read;
        return read > 0;
    }

    private void CloseCurrentFile()
    {
        _stream?.Dispose();
        _stream = null;
        _fileIndex = (int)Math.Min((long)_fileIndex + _fileStride, _files.Count);
        _lineInFile = 0;
        _bufferStart = _bufferEnd = 0;
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _prefetcher?.Dispose();
    }
}
