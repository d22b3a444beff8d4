namespace RobeGen.Backends;

/// <summary>Receives one piece of a tensor: its name, the index of its first element and the values; false stops the reading.</summary>
internal delegate bool StateChunkVisitor(string tensor, long start, ReadOnlySpan<float> values);

/// <summary>
/// A backend whose state can be read piece by piece through one small host buffer, without exporting it whole (the
/// CUDA backend, whose embedding may be larger than the host holds): the trainer's periodic finiteness check reads it so.
/// </summary>
internal interface IStreamedState
{
    /// <summary>Reads every tensor in ModelState order, in pieces of at most <paramref name="pieceLength"/> floats, until <paramref name="visit"/> returns false.</summary>
    void ReadState(StateChunkVisitor visit, int pieceLength);
}
