namespace RobeGen.Metrics;

/// <summary>
/// Streams (prediction, label) pairs in with <see cref="Add"/> and computes <see cref="EvaluationMetrics"/> at any
/// time with <see cref="Compute"/>. Exact AUC needs every score: the accumulator keeps 5 bytes per row (a float
/// and a label byte), so memory is linear in the rows (about 450 MB for the 89M rows of half a Criteo day).
/// Compute sorts those once, O(n log n); the other metrics are running sums. Not thread-safe.
/// </summary>
public sealed class MetricsAccumulator
{
    /// <summary>Predictions are clamped to [ProbabilityClamp, 1 - ProbabilityClamp] for the log loss.</summary>
    public const double ProbabilityClamp = 1e-7;

    private float[] _scores;
    private byte[] _labels;
    private long _count;
    private long _positives;
    private long _correct;
    private double _sumLogLoss;
    private double _sumPrediction;

    /// <summary>An accumulator with room for <paramref name="initialCapacity"/> predictions before it grows.</summary>
    public MetricsAccumulator(int initialCapacity = 1 << 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        _scores = new float[initialCapacity];
        _labels = new byte[initialCapacity];
    }

    /// <summary>Predictions added so far.</summary>
    public long Count => _count;

    /// <summary>Adds rows: click probabilities in [0, 1] and labels that are exactly 0 or 1.</summary>
    public void Add(ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels)
    {
        if (predictions.Length != labels.Length)
            throw new ArgumentException($"{predictions.Length} predictions but {labels.Length} labels.", nameof(labels));
        EnsureCapacity(_count + predictions.Length);
        for (int i = 0; i < predictions.Length; i++)
        {
            float p = predictions[i];
            float y = labels[i];
            if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(predictions), p, $"Prediction {i} is not a probability in [0, 1].");
            if (y != 0f && y != 1f) throw new ArgumentOutOfRangeException(nameof(labels), y, $"Label {i} is not 0 or 1.");
            bool positive = y == 1f;
            _scores[_count] = p;
            _labels[_count] = positive ? (byte)1 : (byte)0;
            _count++;
            double clamped = Math.Clamp(p, ProbabilityClamp, 1 - ProbabilityClamp);
            _sumLogLoss -= positive ? Math.Log(clamped) : Math.Log(1 - clamped);
            _sumPrediction += p;
            if (positive) _positives++;
            if ((p >= 0.5f) == positive) _correct++;
        }
    }

    /// <summary>The metrics of every row added so far (more rows may be added afterwards).</summary>
    public EvaluationMetrics Compute()
    {
        if (_count == 0) return new EvaluationMetrics(0, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        double n = _count;
        return new EvaluationMetrics(_count, _positives, ComputeAuc(), _sumLogLoss / n, _correct / n, _sumPrediction / n, _positives / n);
    }

    /// <summary>Forgets every prediction.</summary>
    public void Clear()
    {
        _count = _positives = _correct = 0;
        _sumLogLoss = _sumPrediction = 0;
    }

    /// <summary>
    /// Sorts by score and walks groups of equal scores upwards: each positive in a group beats every negative
    /// below the group and ties with the group's negatives (1/2 each). Counted twice over, in integers, so the
    /// sum is exact for any row count.
    /// </summary>
    private double ComputeAuc()
    {
        long negatives = _count - _positives;
        if (_positives == 0 || negatives == 0) return double.NaN;
        // Array.Sort takes int lengths; the accumulator refuses to grow beyond that (see EnsureCapacity).
        int count = (int)_count;
        Array.Sort(_scores, _labels, 0, count);
        UInt128 twiceWins = 0;
        long negativesBelow = 0;
        for (int start = 0; start < count;)
        {
            float score = _scores[start];
            long groupPositives = 0, groupNegatives = 0;
            int end = start;
            for (; end < count && _scores[end] == score; end++)
            {
                if (_labels[end] == 1) groupPositives++;
                else groupNegatives++;
            }
            twiceWins += (UInt128)(ulong)groupPositives * (ulong)(2 * negativesBelow + groupNegatives);
            negativesBelow += groupNegatives;
            start = end;
        }
        return (double)twiceWins / (2.0 * _positives * negatives);
    }

    private void EnsureCapacity(long needed)
    {
        if (needed <= _scores.Length) return;
        if (needed > Array.MaxLength)
            throw new InvalidOperationException($"The metrics accumulator holds at most {Array.MaxLength:N0} rows; evaluate in parts.");
        int capacity = (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _scores.Length));
        Array.Resize(ref _scores, capacity);
        Array.Resize(ref _labels, capacity);
    }
}
