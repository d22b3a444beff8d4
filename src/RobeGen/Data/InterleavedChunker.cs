namespace RobeGen.Data;

/// <summary>
/// Reads several files at once, one <see cref="LineChunker"/> per lane (lane k: files k, k + n, ... each inflated on
/// threads of its own), and hands out their chunks in turn, one per lane, skipping lanes that have ended. Gzip cannot
/// be inflated in parallel within one file, and reading files in order would need whole files buffered to inflate the
/// next ones ahead; taking the batches round the files keeps n inflating threads busy with bounded memory. The order is
/// a function of the files and the start position alone (never of thread timing), and each chunk's end position
/// (<see cref="InterleavedPosition"/>) resumes exactly.
/// </summary>
internal sealed class InterleavedChunker : ILineSource
{
    private readonly LineChunker[] _lanes;
    private readonly DataPosition[] _places;
    private readonly bool[] _ended;
    private int _next;

    /// <param name="files">The data set's files.</param>
    /// <param name="start">Where every lane stands.</param>
    /// <param name="end">Where the data set ends (exclusive), or null for the end of the last file.</param>
    /// <param name="inflateAhead">Files each lane reads ahead, its current one included (see <see cref="FilePrefetcher"/>).</param>
    public InterleavedChunker(IReadOnlyList<string> files, InterleavedPosition start, DataPosition? end, int maxLineBytes,
        bool forceTrailerCheck, int inflateAhead, bool cutLongLines)
    {
        int n = start.Lanes.Count;
        _lanes = new LineChunker[n];
        _places = start.Lanes.ToArray();
        _ended = new bool[n];
        _next = start.Next;
        try
        {
            for (int k = 0; k < n; k++)
                _lanes[k] = new LineChunker(files, _places[k], maxLineBytes, forceTrailerCheck, end, inflateAhead, cutLongLines, fileStride: n);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public bool Fill(LineChunk chunk, int lines)
    {
        DataPosition before = Current();
        for (int tried = 0; tried < _lanes.Length; tried++)
        {
            int lane = _next;
            _next = (_next + 1) % _lanes.Length;
            if (_ended[lane]) continue;
            if (!_lanes[lane].Fill(chunk, lines))
            {
                // Ended for good: a lane only moves forward, and resuming at its place ends it again at once.
                _ended[lane] = true;
                _places[lane] = _lanes[lane].Position;
                continue;
            }
            _places[lane] = chunk.End;
            chunk.Start = before;
            chunk.End = Current();
            return true;
        }
        return false;
    }

    /// <summary>Where every lane stands and which one gives the next batch.</summary>
    private DataPosition Current() => new InterleavedPosition(_places, _next).AsDataPosition();

    public void Dispose()
    {
        foreach (LineChunker? lane in _lanes) lane?.Dispose();
    }
}
