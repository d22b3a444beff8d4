using CsCheck;
using RobeGen.Metrics;

namespace RobeGen.Tests.Metrics;

public class MetricsAccumulatorTests
{
    /// <summary>The definition, pair by pair: O(n^2), obviously right.</summary>
    private static double BruteForceAuc(float[] scores, float[] labels)
    {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (labels[i] != 1) continue;
            for (int j = 0; j < scores.Length; j++)
            {
                if (labels[j] != 0) continue;
                pairs++;
                if (scores[i] > scores[j]) wins += 1;
                else if (scores[i] == scores[j]) wins += 0.5;
            }
        }
        return wins / pairs;
    }

    [Fact]
    public void Auc_equals_the_pairwise_definition_on_random_data_with_many_ties()
    {
        // Scores from a handful of values (so most pairs tie), added in two pieces to exercise streaming.
        Gen.Select(Gen.Select(Gen.Int[0, 6], Gen.Bool).Array[2, 300], Gen.Int[0, 300])
            .Sample((rows, split) =>
            {
                float[] scores = rows.Select(r => r.Item1 / 6f).ToArray();
                float[] labels = rows.Select(r => r.Item2 ? 1f : 0f).ToArray();
                if (labels.All(l => l == 1) || labels.All(l => l == 0)) return;
                int cut = Math.Min(split, rows.Length);
                var metrics = new MetricsAccumulator(initialCapacity: 1);
                metrics.Add(scores.AsSpan(0, cut), labels.AsSpan(0, cut));
                metrics.Add(scores.AsSpan(cut), labels.AsSpan(cut));
                Assert.Equal(BruteForceAuc(scores, labels), metrics.Compute().Auc, 12);
            }, iter: 300);
    }

    [Fact]
    public void Auc_equals_the_pairwise_definition_on_the_edges_of_the_float_range()
    {
        // -0 ties with +0; subnormals, neighbouring floats and 1 keep their order (the radix keys are the float bits).
        float[] values = [-0f, 0f, float.Epsilon, 2 * float.Epsilon, 1e-38f, 1e-7f, MathF.BitDecrement(0.5f), 0.5f, MathF.BitIncrement(0.5f),
            MathF.BitDecrement(1f), 1f];
        Gen.Select(Gen.Select(Gen.Int[0, values.Length - 1], Gen.Bool).Array[2, 400], Gen.Int[0, 400])
            .Sample((rows, split) =>
            {
                float[] scores = rows.Select(r => values[r.Item1]).ToArray();
                float[] labels = rows.Select(r => r.Item2 ? 1f : 0f).ToArray();
                if (labels.All(l => l == 1) || labels.All(l => l == 0)) return;
                int cut = Math.Min(split, rows.Length);
                var metrics = new MetricsAccumulator(initialCapacity: 1);
                metrics.Add(scores.AsSpan(0, cut), labels.AsSpan(0, cut));
                Assert.Equal(BruteForceAuc(scores[..cut], labels[..cut]), metrics.Compute().Auc, 12);
                metrics.Add(scores.AsSpan(cut), labels.AsSpan(cut));
                Assert.Equal(BruteForceAuc(scores, labels), metrics.Compute().Auc, 12);
            }, iter: 300);
    }

    [Fact]
    public void The_radix_sort_orders_keys_as_array_sort_does()
    {
        // Full 32-bit keys, keys that share their high digits (passes skipped), and the empty and one-key cases.
        Gen.Select(Gen.UInt.Array[0, 3000], Gen.UInt[0, 4095]).Sample((keys, mask) =>
        {
            foreach (uint[] input in new[] { keys, keys.Select(k => k & mask).ToArray(), keys.Select(k => (k & mask) | 0xABC00000u).ToArray() })
            {
                uint[] expected = (uint[])input.Clone(), actual = (uint[])input.Clone();
                Array.Sort(expected);
                RadixSort.Sort(actual, new uint[actual.Length + 3]);
                Assert.Equal(expected, actual);
            }
        }, iter: 200);
    }

    [Fact]
    public void Auc_on_distinct_continuous_scores_matches_the_pairwise_definition()
    {
        var random = new Random(11);
        float[] scores = Enumerable.Range(0, 2000).Select(_ => random.NextSingle()).ToArray();
        float[] labels = scores.Select(s => random.NextDouble() < 0.2 + 0.5 * s ? 1f : 0f).ToArray();
        var metrics = new MetricsAccumulator();
        metrics.Add(scores, labels);
        EvaluationMetrics m = metrics.Compute();
        Assert.Equal(BruteForceAuc(scores, labels), m.Auc, 12);
        Assert.InRange(m.Auc, 0.6, 0.9);
    }

    [Fact]
    public void Auc_of_hand_cases()
    {
        Assert.Equal(1.0, AucOf([0.1f, 0.9f], [0, 1]));
        Assert.Equal(0.0, AucOf([0.9f, 0.1f], [0, 1]));
        Assert.Equal(0.5, AucOf([0.3f, 0.3f, 0.3f], [0, 1, 1]));
        // Positives 0.8, 0.4; negatives 0.4, 0.2: pairs (0.8>0.4), (0.8>0.2), (0.4=0.4 -> 1/2), (0.4>0.2) = 3.5 / 4.
        Assert.Equal(0.875, AucOf([0.8f, 0.4f, 0.4f, 0.2f], [1, 1, 0, 0]));
    }

    private static double AucOf(float[] scores, float[] labels)
    {
        var metrics = new MetricsAccumulator();
        metrics.Add(scores, labels);
        return metrics.Compute().Auc;
    }

    [Fact]
    public void Auc_is_NaN_when_only_one_class_is_present_and_everything_is_NaN_without_rows()
    {
        Assert.True(double.IsNaN(AucOf([0.1f, 0.7f], [1, 1])));
        Assert.True(double.IsNaN(AucOf([0.1f, 0.7f], [0, 0])));
        EvaluationMetrics empty = new MetricsAccumulator().Compute();
        Assert.Equal(0, empty.Count);
        Assert.True(double.IsNaN(empty.Auc) && double.IsNaN(empty.LogLoss) && double.IsNaN(empty.Accuracy));
        // The other metrics are still defined with one class.
        var metrics = new MetricsAccumulator();
        metrics.Add([0.25f], [1]);
        Assert.Equal(-Math.Log(0.25), metrics.Compute().LogLoss, 12);
    }

    [Fact]
    public void Logloss_accuracy_and_calibration_match_hand_values()
    {
        var metrics = new MetricsAccumulator();
        metrics.Add([0.9f, 0.2f, 0.6f, 0.5f], [1, 0, 0, 1]);
        EvaluationMetrics m = metrics.Compute();
        double expected = -(Math.Log((double)0.9f) + Math.Log(1 - (double)0.2f) + Math.Log(1 - (double)0.6f) + Math.Log((double)0.5f)) / 4;
        Assert.Equal(expected, m.LogLoss, 12);
        Assert.Equal(0.75, m.Accuracy);       // 0.6 -> 1 is wrong; 0.5 counts as a positive prediction
        Assert.Equal((0.9 + 0.2 + 0.6 + 0.5) / 4, m.MeanPrediction, 6);
        Assert.Equal(0.5, m.ObservedCtr);
        Assert.Equal(4, m.Count);
        Assert.Equal(2, m.Positives);
    }

    [Fact]
    public void Logloss_clamps_certain_mistakes()
    {
        var metrics = new MetricsAccumulator();
        metrics.Add([1f, 0f, 1f, 0f], [0, 1, 1, 0]);
        double miss = -Math.Log(MetricsAccumulator.ProbabilityClamp);
        double hit = -Math.Log(1 - MetricsAccumulator.ProbabilityClamp);
        Assert.Equal((2 * miss + 2 * hit) / 4, metrics.Compute().LogLoss, 8); // 1 - (1 - 1e-7) is not exactly 1e-7 in doubles
    }

    [Fact]
    public void Bad_inputs_are_refused()
    {
        var metrics = new MetricsAccumulator();
        Assert.Throws<ArgumentOutOfRangeException>(() => metrics.Add([float.NaN], [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => metrics.Add([1.5f], [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => metrics.Add([0.5f], [0.5f]));
        Assert.Throws<ArgumentException>(() => metrics.Add([0.5f, 0.5f], [1]));
    }

    [Fact]
    public void Compute_can_be_called_between_adds()
    {
        var metrics = new MetricsAccumulator();
        metrics.Add([0.9f, 0.1f], [1, 0]);
        Assert.Equal(1.0, metrics.Compute().Auc);
        metrics.Add([0.05f], [1]);
        Assert.Equal(0.5, metrics.Compute().Auc); // 0.9 beats 0.1, 0.05 loses to it
        Assert.Equal(3, metrics.Compute().Count);
    }
}
