namespace RobeGen.Metrics;

/// <summary>
/// Quality of click predictions over an evaluation set.
/// </summary>
/// <param name="Count">Rows evaluated.</param>
/// <param name="Positives">Rows labeled 1.</param>
/// <param name="Auc">
/// Exact ROC AUC: the probability that a random positive scores above a random negative, ties counting 1/2.
/// NaN when the rows are all of one class (or there are none): AUC is undefined then.
/// </param>
/// <param name="LogLoss">
/// Mean binary cross-entropy in nats, predictions clamped to [<see cref="MetricsAccumulator.ProbabilityClamp"/>,
/// 1 - <see cref="MetricsAccumulator.ProbabilityClamp"/>] so a confident miss costs at most about 16.1. NaN without rows.
/// </param>
/// <param name="Accuracy">Fraction of rows where (prediction >= 0.5) equals the label. NaN without rows.</param>
/// <param name="MeanPrediction">Mean predicted click probability (compare with <paramref name="ObservedCtr"/> for calibration).</param>
/// <param name="ObservedCtr">Fraction of rows labeled 1.</param>
public sealed record EvaluationMetrics(long Count, long Positives, double Auc, double LogLoss, double Accuracy, double MeanPrediction, double ObservedCtr)
{
    /// <summary>Rows labeled 0.</summary>
    public long Negatives => Count - Positives;

    /// <summary>The metrics on one line.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"rows {Count:N0}, AUC {Auc:F5}, logloss {LogLoss:F5}, accuracy {Accuracy:F4}, mean prediction {MeanPrediction:F4} vs CTR {ObservedCtr:F4}");
}
