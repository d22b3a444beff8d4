namespace RobeGen.Metrics;

/// <summary>
/// Streams (prediction, label) pairs in with <see cref="Add"/> and computes <see cref="EvaluationMetrics"/> at any
/// time with <see cref="Compute"/>. Exact AUC needs every score: the accumulator keeps 4 bytes per row (the score's
/// bits and the label in one key), so memory is linear in the rows (about 360 MB for the 89M rows of half a Criteo
/// day, and as much again while <see cref="Compute"/> sorts them by radix, in linear time); the other metrics are
/// running sums. Not thread-safe.
/// </summary>
public sealed class MetricsAccumulator
{
    /// <summary>Predictions are clamped to [ProbabilityClamp, 1 - ProbabilityClamp] for the log loss.</summary>
    public const double ProbabilityClamp = 1e-7;

    /// <summary>Per row: the score's float bits shifted left by one, the label in bit 0 (<see cref="Key"/>).</summary>
    private uint[] _keys;
    private long _count;
    private long _positives;
    private long _correct;
    private double _sumLogLoss;
    private double _sumPrediction;

    /// <summary>An accumulator with room for <paramref name="initialCapacity"/> predictions before it grows.</summary>
    public MetricsAccumulator(int initialCapacity = 1 << 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        _keys = new uint[initialCapacity];
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
            _keys[_count++] = Key(p, positive);
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
    /// A row as one sortable key: a probability's float bits (non-negative floats order as their bits do) shifted left by
    /// one, the label in bit 0. The shift drops the sign bit, so -0 keys as +0, which it equals. A probability in [0, 1]
    /// has bits at most 0x3F800000, so the key fits 31 bits.
    /// </summary>
    private static uint Key(float probability, bool positive) =>
        (BitConverter.SingleToUInt32Bits(probability) << 1) | (positive ? 1u : 0u);

    /// <summary>
    /// Sorts the keys and walks groups of equal scores upwards: each positive in a group beats every negative below
    /// the group and ties with the group's negatives (1/2 each). Counted twice over, in integers, so the sum is exact
    /// for any row count.
    /// </summary>
    private double ComputeAuc()
    {
        long negatives = _count - _positives;
        if (_positives == 0 || negatives == 0) return double.NaN;
        // The accumulator refuses to grow beyond int lengths (see EnsureCapacity).
        Span<uint> keys = _keys.AsSpan(0, (int)_count);
        RadixSort.Sort(keys, new uint[keys.Length]);
        UInt128 twiceWins = 0;
        long negativesBelow = 0;
        for (int start = 0; start < keys.Length;)
        {
            uint score = keys[start] >> 1;
            long groupPositives = 0, groupNegatives = 0;
            int end = start;
            for (; end < keys.Length && keys[end] >> 1 == score; end++)
            {
                if ((keys[end] & 1) != 0) groupPositives++;
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
        if (needed <= _keys.Length) return;
        if (needed > Array.MaxLength)
            throw new InvalidOperationException($"The metrics accumulator holds at most {Array.MaxLength:N0} rows; evaluate in parts.");
        int capacity = (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _keys.Length));
        Array.Resize(ref _keys, capacity);
    }
}
