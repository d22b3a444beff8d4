using RobeGen.Data;
using RobeGen.Metrics;

namespace RobeGen.Synthetic;

/// <summary>
/// How well the hidden teacher itself scores on a range of rows, against the labels it drew: the AUC and logloss
/// no model can beat on those rows (up to their sampling noise). Measure it on the evaluation rows of a study, with the
/// generator that makes the model's rows: a multi-hot generator (<see cref="SyntheticGenerator.ForMultiHot"/>) draws
/// other rows and labels than the single-hot one it came from, so its teacher is scored on its own bags.
/// </summary>
public static class TeacherQuality
{
    /// <summary>AUC and logloss of the hidden teacher's own probabilities over a row range.</summary>
    public static EvaluationMetrics Measure(SyntheticGenerator generator, long firstRow, long rows, int batchSize = 65536)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var batch = generator.IsMultiHot ? null : new Batch(batchSize, SyntheticGenerator.DenseColumns, SyntheticGenerator.TokenColumns);
        var probabilities = new float[batchSize];
        var labels = new float[batchSize];
        var metrics = new MetricsAccumulator();
        for (long done = 0; done < rows;)
        {
            int count = (int)Math.Min(batchSize, rows - done);
            if (batch is null)
            {
                BagProbabilities(generator, firstRow + done, count, probabilities, labels);
                metrics.Add(probabilities.AsSpan(0, count), labels.AsSpan(0, count));
            }
            else
            {
                generator.Fill(batch, firstRow + done, count, probabilities);
                metrics.Add(probabilities.AsSpan(0, count), batch.LabelSpan);
            }
            done += count;
        }
        return metrics.Compute();
    }

    /// <summary>The teacher's probability and label of multi-hot rows firstRow .. firstRow + count - 1 into the arrays' first
    /// <paramref name="count"/> slots, drawn in parallel chunks (a row's draw depends on its number alone, so the chunks
    /// give the same values as one pass).</summary>
    private static void BagProbabilities(SyntheticGenerator generator, long firstRow, int count, float[] probabilities, float[] labels)
    {
        int chunkRows = SyntheticGenerator.ChunkRows(count, 256);
        Parallel.For(0, (count + chunkRows - 1) / chunkRows, k =>
        {
            Span<long> counts = stackalloc long[SyntheticGenerator.DenseColumns];
            Span<int> lengths = stackalloc int[SyntheticGenerator.TokenColumns];
            uint[] ids = new uint[generator.MaxRowIds];
            for (int r = k * chunkRows, end = Math.Min(count, r + chunkRows); r < end; r++)
            {
                double logit = generator.BagRow(firstRow + r, counts, lengths, ids, out bool clicked);
                probabilities[r] = (float)SyntheticGenerator.Sigmoid(logit);
                labels[r] = clicked ? 1f : 0f;
            }
        });
    }
}
