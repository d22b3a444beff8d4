namespace RobeGen.Data.Tabular;

/// <summary>
/// Tabular files read several at once: one cursor per lane (lane k: files k, k + n, ... each decoded on a thread of its
/// own), the batches taken round the lanes one from each, ended lanes skipped; the CSV and Parquet counterpart of
/// <see cref="InterleavedChunker"/>, with the same <see cref="InterleavedPosition"/>. One file decodes on one thread, so
/// n files at once decode n times as fast; the order depends on the files and the start alone.
/// </summary>
internal sealed class InterleavedCursor : IBatchCursor
{
    private readonly IBatchCursor[] _lanes;
    private readonly DataPosition[] _places;
    private readonly bool[] _ended;
    private int _next;
    private IBatchCursor? _current;

    /// <param name="start">Where every lane stands.</param>
    /// <param name="openLane">Opens one lane at its place, reading every n-th file (n, the second argument, is the lane count).</param>
    public InterleavedCursor(InterleavedPosition start, Func<DataPosition, int, IBatchCursor> openLane)
    {
        int n = start.Lanes.Count;
        _lanes = new IBatchCursor[n];
        _places = start.Lanes.ToArray();
        _ended = new bool[n];
        _next = start.Next;
        Position = start.AsDataPosition();
        try
        {
            for (int k = 0; k < n; k++) _lanes[k] = openLane(_places[k], n);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public Batch Current => _current?.Current ?? throw new InvalidOperationException("MoveNext has not returned a batch.");
    public DataPosition Position { get; private set; }

    public bool MoveNext()
    {
        _current = null;
        for (int tried = 0; tried < _lanes.Length; tried++)
        {
            int lane = _next;
            _next = (_next + 1) % _lanes.Length;
            if (_ended[lane]) continue;
            bool more = _lanes[lane].MoveNext();
            _places[lane] = _lanes[lane].Position;
            if (!more)
            {
                _ended[lane] = true;
                continue;
            }
            _current = _lanes[lane];
            Position = new InterleavedPosition(_places, _next).AsDataPosition();
            return true;
        }
        Position = new InterleavedPosition(_places, _next).AsDataPosition();
        return false;
    }

    public void Dispose()
    {
        foreach (IBatchCursor? lane in _lanes) lane?.Dispose();
    }
}
