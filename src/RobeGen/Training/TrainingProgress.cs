using RobeGen.Metrics;

namespace RobeGen.Training;

/// <summary>One point of the training curve.</summary>
/// <param name="Step">Steps done so far.</param>
/// <param name="Rows">Training rows seen so far.</param>
/// <param name="TrainLoss">Mean training loss since the previous point.</param>
/// <param name="Evaluation">Metrics on the evaluation data when this point is an evaluation, else null.</param>
public sealed record TrainingCurvePoint(long Step, long Rows, double TrainLoss, EvaluationMetrics? Evaluation);

/// <summary>A live snapshot of a run, for progress displays.</summary>
public readonly record struct TrainingProgress(
    int Epoch, long Step, long Rows, float LearningRate, double RecentLoss, double RowsPerSecond, EvaluationMetrics? LastEvaluation);

/// <summary>Receives progress of a run. All members are optional.</summary>
public interface ITrainingObserver
{
    /// <summary>Called every few steps with the run's progress.</summary>
    void OnProgress(TrainingProgress progress) { }
    /// <summary>Called after each evaluation.</summary>
    void OnEvaluation(long step, EvaluationMetrics metrics) { }
    /// <summary>Called after a checkpoint is written.</summary>
    void OnCheckpoint(string path, long step) { }
    /// <summary>A message for the user (what the library would otherwise print).</summary>
    void OnMessage(string message) { }
}
