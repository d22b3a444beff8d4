using RobeGen.Metrics;

namespace RobeGen.Tests.Metrics;

/// <summary>
/// Metrics added on a background thread are those of adding the same batches in place, to the bit; a failed check is
/// thrown to the caller, with the rows it saw before it.
/// </summary>
public sealed class BackgroundMetricsTests
{
    private static (float[] Predictions, float[] Labels)[] Batches(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(b =>
        {
            int rows = 1 + random.Next(3000);
            var p = new float[rows];
            var l = new float[rows];
            for (int i = 0; i < rows; i++)
            {
                p[i] = random.NextSingle();
                l[i] = random.NextDouble() < p[i] ? 1f : 0f;
            }
            return (p, l);
        }).ToArray();
    }

    [Fact]
    public void The_metrics_are_those_of_adding_in_place_to_the_bit()
    {
        var batches = Batches(1, 40);
        var inPlace = new MetricsAccumulator();
        foreach (var (p, l) in batches) inPlace.Add(p, l);

        var behind = new MetricsAccumulator();
        var firsts = new List<long>();
        using (var metrics = new BackgroundMetrics(behind, (_, first) => firsts.Add(first)))
        {
            // The caller reuses its buffers at once: the queued copies must not see that.
            var buffer = new float[3000];
            var labels = new float[3000];
            foreach (var (p, l) in batches)
            {
                p.CopyTo(buffer, 0);
                l.CopyTo(labels, 0);
                metrics.Add(buffer.AsSpan(0, p.Length), labels.AsSpan(0, l.Length));
                buffer.AsSpan().Fill(0.5f);
                labels.AsSpan().Clear();
            }
            metrics.Complete();
        }
        Assert.Equal(inPlace.Compute(), behind.Compute());
        long[] expected = batches.Select(b => (long)b.Predictions.Length).Prepend(0L).SkipLast(1).ToArray();
        for (int i = 1; i < expected.Length; i++) expected[i] += expected[i - 1];
        Assert.Equal(expected, firsts);
    }

    [Fact]
    public void A_failed_check_is_thrown_to_the_caller_and_nothing_after_it_is_added()
    {
        var batches = Batches(2, 30);
        var behind = new MetricsAccumulator();
        using var metrics = new BackgroundMetrics(behind, (predictions, first) =>
        {
            if (first >= 10_000) throw new InvalidDataException($"row {first + 1}");
        });
        var thrown = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var (p, l) in batches) metrics.Add(p, l);
            metrics.Complete();
        });
        long before = batches.Select(b => (long)b.Predictions.Length).Aggregate(new List<long> { 0 }, (sums, n) => { sums.Add(sums[^1] + n); return sums; })
            .First(sum => sum >= 10_000);
        Assert.Equal($"row {before + 1}", thrown.Message);
        Assert.Equal(before, behind.Count);
    }

    [Fact]
    public void Predictions_and_labels_of_different_lengths_are_refused_at_once()
    {
        using var metrics = new BackgroundMetrics(new MetricsAccumulator(), (_, _) => { });
        Assert.Throws<ArgumentException>(() => metrics.Add(new float[3], new float[2]));
    }
}
