namespace RobeGen.Data;

/// <summary>
/// A place in a list of input files: <see cref="Line"/> lines of file <see cref="FileIndex"/> have been consumed
/// (so <see cref="Line"/> is also the zero-based index of the next line). Positions between batches are what
/// training saves, and opening a reader at a saved position yields exactly the batches that would have followed it.
/// A position of files read at once (<see cref="CriteoReaderOptions.InterleaveFiles"/>) also carries where each of
/// them stands (<see cref="Interleaved"/>); <see cref="FileIndex"/> and <see cref="Line"/> are then those of the file
/// that gives the next batch.
/// </summary>
public readonly record struct DataPosition(int FileIndex, long Line)
{
    /// <summary>The first line of the first file.</summary>
    public static readonly DataPosition Start = new(0, 0);

    /// <summary>Where each file read at once stands, or null when the files are read one after another.</summary>
    public InterleavedPosition? Interleaved { get; init; }

    /// <summary>"file F, line L", or every interleaved file's place.</summary>
    public override string ToString() => Interleaved?.ToString() ?? $"file {FileIndex}, line {Line}";
}
