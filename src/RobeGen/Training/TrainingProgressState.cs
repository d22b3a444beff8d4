using RobeGen.Data;

namespace RobeGen.Training;

/// <summary>Where a run stands: what a checkpoint stores so that a resumed run continues exactly.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="Epoch">The epoch in progress (0-based).</param>
/// <param name="Position">Where in the training data of that epoch the next batch starts.</param>
/// <param name="Rows">Training rows seen so far.</param>
public readonly record struct TrainingProgressState(long Step, int Epoch, DataPosition Position, long Rows)
{
    /// <summary>A run that has not started.</summary>
    public static readonly TrainingProgressState Start = new(0, 0, DataPosition.Start, 0);
}
