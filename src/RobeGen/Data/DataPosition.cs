namespace RobeGen.Data;

/// <summary>
/// A place in a list of input files: <see cref="Line"/> lines of file <see cref="FileIndex"/> have been consumed
/// (so <see cref="Line"/> is also the zero-based index of the next line). Positions between batches are what
/// training saves, and opening a reader at a saved position yields exactly the batches that would have followed it.
/// </summary>
public readonly record struct DataPosition(int FileIndex, long Line)
{
    /// <summary>The first line of the first file.</summary>
    public static readonly DataPosition Start = new(0, 0);

    /// <summary>"file F, line L".</summary>
    public override string ToString() => $"file {FileIndex}, line {Line}";
}
