using RobeGen.Metrics;

namespace RobeGen.Training;

/// <summary>What a run ended with.</summary>
public sealed record TrainingSummary(
    string ModelName,
    string Device,
    TrainingProgressState Final,
    string StopReason,
    EvaluationMetrics? Evaluation,
    IReadOnlyList<TrainingCurvePoint> Curve,
    ModelSize Size,
    double TrainingRowsPerSecond,
    TimeSpan WallTime)
{
    /// <summary>Rows this run trained on (a resumed run's earlier rows are not counted).</summary>
    public long RowsTrained { get; init; }

    /// <summary>
    /// <see cref="RowsTrained"/> per second of <see cref="WallTime"/>: the wall-clock rate of the whole run (reading,
    /// evaluations and checkpoints included). <see cref="TrainingRowsPerSecond"/> counts the training steps' time alone.
    /// </summary>
    public double WallRowsPerSecond => RowsTrained / Math.Max(1e-9, WallTime.TotalSeconds);

    /// <summary>Where <see cref="WallTime"/> went: the steps, the waits for the next batch, evaluations and checkpoints.</summary>
    public TrainingTimes Times { get; init; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>The vocabulary and dense statistics fitted on the training data (pass them to a checkpoint saved after the run).</summary>
    public FittedInputs Inputs { get; init; } = FittedInputs.None;
}

/// <summary>
/// Where a run's wall-clock time went. <paramref name="Steps"/>: the training steps themselves (what the steps-alone
/// rate divides by); <paramref name="InputWait"/>: waiting for the next batch (the input falling behind the model);
/// <paramref name="Evaluations"/> and <paramref name="Checkpoints"/>: the evaluations and saves during and after training.
/// The rest of the wall time is progress reports, parameter checks and the run's start.
/// </summary>
public sealed record TrainingTimes(TimeSpan Steps, TimeSpan InputWait, TimeSpan Evaluations, TimeSpan Checkpoints);
