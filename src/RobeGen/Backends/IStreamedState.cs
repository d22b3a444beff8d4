namespace RobeGen.Backends;

/// <summary>One tensor of a model state: its name and how many floats it holds.</summary>
internal readonly record struct TensorShape(string Name, long Length);

/// <summary>Receives one piece of a tensor: its name, the index of its first element and the values; false stops the reading.</summary>
internal delegate bool StateChunkVisitor(string tensor, long start, ReadOnlySpan<float> values);

/// <summary>Fills one piece of a tensor being written: its name, the index of its first element and the values to fill.</summary>
internal delegate void StatePieceFiller(string tensor, long start, Span<float> values);

/// <summary>
/// State that is read and written piece by piece through one small host buffer, never whole: the CUDA backend's, whose
/// embedding may be larger than the host holds (the trainer's finiteness check, checkpoints and loads go through it), and
/// a host <see cref="ModelState"/>'s through <see cref="HostStateStream"/>, so that one checkpoint writer serves both.
/// </summary>
internal interface IStreamedState
{
    /// <summary>Floats per piece unless a caller asks otherwise: 64 MiB of host buffer, few enough device copies to cost nothing.</summary>
    const int DefaultPieceLength = 1 << 24;

    /// <summary>Every tensor's name and length in ModelState order, known without reading any value.</summary>
    IReadOnlyList<TensorShape> StateShape { get; }

    /// <summary>Reads every tensor in ModelState order, in pieces of at most <paramref name="pieceLength"/> floats, until <paramref name="visit"/> returns false.</summary>
    void ReadState(StateChunkVisitor visit, int pieceLength);

    /// <summary>
    /// Replaces every tensor in ModelState order, in pieces of at most <paramref name="pieceLength"/> floats that
    /// <paramref name="fill"/> provides; an exception from it stops the writing with the state partly replaced (the
    /// caller discards the model then).
    /// </summary>
    void WriteState(StatePieceFiller fill, int pieceLength);
}
