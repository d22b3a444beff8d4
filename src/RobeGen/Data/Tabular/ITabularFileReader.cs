namespace RobeGen.Data.Tabular;

/// <summary>One tabular file read row by row into model-shaped batch rows (label, dense inputs, one token per table).</summary>
internal interface ITabularFileReader : IDisposable
{
    /// <summary>Passes over <paramref name="rows"/> rows without decoding them (to resume at a saved position).</summary>
    void Skip(long rows);

    /// <summary>Appends up to <paramref name="maxRows"/> rows to <paramref name="batch"/> after its <see cref="Batch.Count"/>; returns how many (0 at the end).</summary>
    int Read(Batch batch, int maxRows);

    /// <summary>
    /// Starts decoding the first rows in the background, before the first <see cref="Read"/>, for a file opened ahead of
    /// the run (<see cref="ReadersOpenedAhead"/>); the rows and errors read are the same. A no-op for a reader that
    /// decodes no more than it is asked for (delimited text). Call it before any <see cref="Skip"/>.
    /// </summary>
    /// <param name="firstRows">The rows the first read will ask for (its batch size): decoded first.</param>
    void BeginDecoding(int firstRows) { }
}
