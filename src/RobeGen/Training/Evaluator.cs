using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Metrics;

namespace RobeGen.Training;

/// <summary>Scores labeled data with a model: exact AUC, logloss, accuracy and calibration over every row.</summary>
public sealed class Evaluator
{
    private readonly IDlrmBackend _model;
    private readonly MetricsAccumulator _metrics = new();

    /// <summary>An evaluator of <paramref name="model"/>.</summary>
    public Evaluator(IDlrmBackend model) => _model = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>Predicts every row of <paramref name="data"/> and returns the metrics against its labels. On CUDA the batches
    /// are pipelined (<see cref="PredictionPipeline"/>): no host wait between them.</summary>
    public EvaluationMetrics Evaluate(ITrainingData data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(data);
        _metrics.Clear();
        using IBatchCursor cursor = data.Open(DataPosition.Start, batchSize);
        // Checked and added on a thread of their own, in order: the host's work per batch is what bounds a GPU's evaluation.
        using var metrics = new BackgroundMetrics(_metrics, (probabilities, first) =>
            UnusableModelException.ThrowIfNotProbabilities(probabilities, i => $"row {first + i + 1:N0} of {data.Description}"));
        PredictionPipeline.Run(_model, PredictionPipeline.Batches(cursor), (_, probabilities, labels) => metrics.Add(probabilities, labels));
        metrics.Complete();
        if (_metrics.Count == 0) throw new InvalidOperationException($"The evaluation data ({data.Description}) has no rows.");
        return _metrics.Compute();
    }
}
