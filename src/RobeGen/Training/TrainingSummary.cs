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
    /// <summary>The vocabulary and dense statistics fitted on the training data (pass them to a checkpoint saved after the run).</summary>
    public FittedInputs Inputs { get; init; } = FittedInputs.None;
}
