using RobeGen.Data;
using RobeGen.Metrics;

namespace RobeGen.Synthetic;

/// <summary>
/// How well the hidden teacher itself scores on a range of rows, against the labels it drew: the AUC and logloss
/// no model can beat on those rows (up to their sampling noise). Measure it on the evaluation rows of a study.
/// </summary>
public static class TeacherQuality
{
    /// <summary>AUC and logloss of the hidden teacher's own probabilities over a row range.</summary>
    public static EvaluationMetrics Measure(SyntheticGenerator generator, long firstRow, long rows, int batchSize = 65536)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var batch = new Batch(batchSize, SyntheticGenerator.DenseColumns, SyntheticGenerator.TokenColumns);
        var probabilities = new float[batchSize];
        var metrics = new MetricsAccumulator();
        for (long done = 0; done < rows;)
        {
            int count = (int)Math.Min(batchSize, rows - done);
            generator.Fill(batch, firstRow + done, count, probabilities);
            metrics.Add(probabilities.AsSpan(0, count), batch.LabelSpan);
            done += count;
        }
        return metrics.Compute();
    }
}
