namespace RobeGen.Data;

/// <summary>What the reader thread of a <see cref="CriteoReader"/> cuts lines from: the files in order (<see cref="LineChunker"/>)
/// or several files at once (<see cref="InterleavedChunker"/>). One thread owns it.</summary>
internal interface ILineSource : IDisposable
{
    /// <summary>Fills <paramref name="chunk"/> with up to <paramref name="lines"/> lines and sets its start and end positions;
    /// false when the input is exhausted and the chunk is empty.</summary>
    bool Fill(LineChunk chunk, int lines);
}
