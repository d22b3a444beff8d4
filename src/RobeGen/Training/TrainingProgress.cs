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
    void OnProgress(TrainingProgress progress) { }
    void OnEvaluation(long step, EvaluationMetrics metrics) { }
    void OnCheckpoint(string path, long step) { }
    void OnMessage(string message) { }
}
