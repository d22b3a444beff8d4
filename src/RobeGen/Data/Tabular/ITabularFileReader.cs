namespace RobeGen.Data.Tabular;

/// <summary>One tabular file read row by row into model-shaped batch rows (label, dense inputs, one token per table).</summary>
internal interface ITabularFileReader : IDisposable
{
    /// <summary>Passes over <paramref name="rows"/> rows without decoding them (to resume at a saved position).</summary>
    void Skip(long rows);

    /// <summary>Appends up to <paramref name="maxRows"/> rows to <paramref name="batch"/> after its <see cref="Batch.Count"/>; returns how many (0 at the end).</summary>
    int Read(Batch batch, int maxRows);
}
