
namespace RobeGen.Data;

/// <summary>A forward-only stream of batches with the position to resume after the current one.</summary>
public interface IBatchCursor : IDisposable
{
    /// <summary>Advances to the next batch; false at the end of the data.</summary>
    bool MoveNext();

    /// <summary>The current batch; valid until the next <see cref="MoveNext"/>.</summary>
    Batch Current { get; }

    /// <summary>Where the batch after <see cref="Current"/> starts (what a checkpoint saves).</summary>
    DataPosition Position { get; }
}

/// <summary>A data set the trainer can read from any saved position, as many epochs as it likes.</summary>
public interface ITrainingData
{
    /// <summary>Opens a cursor at <paramref name="start"/> that yields batches of up to <paramref name="batchSize"/> rows.</summary>
    IBatchCursor Open(DataPosition start, int batchSize);

    /// <summary>One line for logs and summaries, e.g. the file names.</summary>
    string Description { get; }
}
