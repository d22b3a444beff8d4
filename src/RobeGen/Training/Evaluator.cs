using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Metrics;

namespace RobeGen.Training;

/// <summary>Scores labeled data with a model: exact AUC, logloss, accuracy and calibration over every row.</summary>
public sealed class Evaluator
{
    private readonly IDlrmBackend _model;
    private readonly MetricsAccumulator _metrics = new();
    private float[] _predictions = [];

    public Evaluator(IDlrmBackend model) => _model = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>Predicts every row of <paramref name="data"/> and returns the metrics against its labels.</summary>
    public EvaluationMetrics Evaluate(ITrainingData data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(data);
        _metrics.Clear();
        if (_predictions.Length < batchSize) _predictions = new float[batchSize];
        using IBatchCursor cursor = data.Open(DataPosition.Start, batchSize);
        while (cursor.MoveNext())
        {
            Batch batch = cursor.Current;
            Span<float> predictions = _predictions.AsSpan(0, batch.Count);
            _model.Predict(batch, predictions);
            _metrics.Add(predictions, batch.LabelSpan);
        }
        if (_metrics.Count == 0) throw new InvalidOperationException($"The evaluation data ({data.Description}) has no rows.");
        return _metrics.Compute();
    }
}
