namespace RobeGen.Backends;

/// <summary>
/// A <see cref="ModelState"/> held on the host, read and written as an <see cref="IStreamedState"/>: each piece is a slice
/// of one chunk (no copy), so a checkpoint of a host state goes through the same writer as a device's streamed state.
/// </summary>
internal sealed class HostStateStream(ModelState state) : IStreamedState
{
    private readonly ModelState _state = state ?? throw new ArgumentNullException(nameof(state));

    public IReadOnlyList<TensorShape> StateShape => StateShapes.Of(_state);

    public void ReadState(StateChunkVisitor visit, int pieceLength)
    {
        ArgumentNullException.ThrowIfNull(visit);
        foreach ((string name, long start, Memory<float> values) in Pieces(pieceLength))
            if (!visit(name, start, values.Span)) return;
    }

    public void WriteState(StatePieceFiller fill, int pieceLength)
    {
        ArgumentNullException.ThrowIfNull(fill);
        foreach ((string name, long start, Memory<float> values) in Pieces(pieceLength)) fill(name, start, values.Span);
    }

    /// <summary>Every tensor in order as slices of its chunks, none longer than <paramref name="pieceLength"/>.</summary>
    private IEnumerable<(string Name, long Start, Memory<float> Values)> Pieces(int pieceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pieceLength, 1);
        foreach ((string name, ChunkedFloats values) in _state.ChunkedTensors)
            for (int c = 0; c < values.Chunks.Count; c++)
                for (int offset = 0; offset < values.Chunks[c].Length; offset += pieceLength)
                    yield return (name, values.ChunkStart(c) + offset, values.Chunks[c].AsMemory(offset, Math.Min(pieceLength, values.Chunks[c].Length - offset)));
    }
}
