using RobeGen.Data;
using RobeGen.Metrics;
using RobeGen.Synthetic;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Synthetic;

/// <summary>The structured teacher: rows a pure function of (seed, row), the documented formula, a realistic AUC at the
/// target CTR, and without coherence the same features as the independent teacher's rows (only the labels differ).</summary>
public sealed class StructuredTeacherTests
{
    private static SyntheticSpec Spec(long seed = 5, double scale = 0.001) => new()
    {
        Seed = seed,
        Cardinalities = SyntheticSpec.CardinalityTable("kaggle", scale),
        Teacher = SyntheticTeacher.Structured,
    };

    private static readonly SyntheticGenerator Generator = new(Spec());

    private static (Batch Rows, float[] P) Fill(SyntheticGenerator generator, long first, int count)
    {
        var batch = new Batch(count, 13, 26);
        var p = new float[count];
        generator.Fill(batch, first, count, p);
        return (batch, p);
    }

    [Fact]
    public void Rows_depend_only_on_seed_and_index_not_on_batching_or_threads()
    {
        (Batch whole, float[] p) = Fill(Generator, 1000, 5000); // parallel chunks
        using IBatchCursor pieces = new SyntheticTrainingData(Generator, 1000, 5000).Open(DataPosition.Start, 77);
        int row = 0;
        while (pieces.MoveNext())
        {
            Batch b = pieces.Current;
            Assert.Equal(whole.Labels.AsSpan(row, b.Count).ToArray(), b.LabelSpan.ToArray());
            Assert.Equal(whole.Tokens.AsSpan(row * 26, b.Count * 26).ToArray(), b.TokenSpan.ToArray());
            row += b.Count;
        }
        Assert.Equal(5000, row);
        // One row at a time, on this thread, from a fresh generator: the same labels and probabilities.
        var fresh = new SyntheticGenerator(Spec());
        for (int r = 0; r < 5000; r += 499)
        {
            (Batch one, float[] q) = Fill(fresh, 1000 + r, 1);
            Assert.Equal(whole.Labels[r], one.Labels[0]);
            Assert.Equal(p[r], q[0]);
        }
        Assert.Equal(Generator.Bias, fresh.Bias);
    }

    [Fact]
    public void Multi_hot_rows_do_not_depend_on_the_batching()
    {
        var data = new SyntheticTrainingData(Generator, 100, 600).ForModel(MultiHotAuthors.Declaration);
        float[] whole = Labels(data, 600);
        Assert.Equal(whole, Labels(data, 64));
        Assert.Equal(whole, Labels(new SyntheticTrainingData(new SyntheticGenerator(Spec()), 100, 600).ForModel(MultiHotAuthors.Declaration), 600));
    }

    private static float[] Labels(SyntheticTrainingData data, int batchSize)
    {
        var labels = new List<float>();
        using IBatchCursor cursor = data.Open(DataPosition.Start, batchSize);
        while (cursor.MoveNext()) labels.AddRange(cursor.Current.LabelSpan.ToArray());
        return labels.ToArray();
    }

    [Fact]
    public void Without_coherence_features_are_the_independent_teachers_only_labels_differ()
    {
        // Without coherence the structured teacher draws nothing more from a row's stream than the independent one.
        var independent = new SyntheticGenerator(Spec() with { Teacher = SyntheticTeacher.Independent });
        (Batch a, _) = Fill(independent, 0, 4000);
        (Batch b, _) = Fill(new SyntheticGenerator(Spec() with { Coherence = 0 }), 0, 4000);
        Assert.Equal(a.TokenSpan.ToArray(), b.TokenSpan.ToArray());
        Assert.Equal(a.DenseSpan.ToArray(), b.DenseSpan.ToArray());
        Assert.NotEqual(a.LabelSpan.ToArray(), b.LabelSpan.ToArray());
    }

    [Fact]
    public void CTR_is_on_target_and_the_teacher_AUC_is_realistic()
    {
        var generator = new SyntheticGenerator(Spec(seed: 1, scale: 0.01));
        EvaluationMetrics teacher = TeacherQuality.Measure(generator, SyntheticTrainingData.EvaluationRowBase, 200_000);
        Assert.InRange(teacher.ObservedCtr, 0.245, 0.255);
        Assert.InRange(teacher.Auc, 0.76, 0.83);
    }

    [Fact]
    public void Probabilities_follow_the_documented_formula()
    {
        SyntheticSpec spec = Spec(seed: 9) with { Clusters = 7, LatentRank = 3, IdNoise = 0.2, ClusterSkew = 0.8 };
        var generator = new SyntheticGenerator(spec);
        // Same rows without token signal: its logit minus its bias is the row's dense part (the features are the same).
        var blind = new SyntheticGenerator(spec with { TokenSignal = 0, InteractionSignal = 0 });
        (int A, int B)[] pairs = generator.Pairs.ToArray();
        Assert.Equal(spec.InteractionPairs, pairs.Length);
        Span<long> counts = stackalloc long[13], ranks = stackalloc long[26], blindRanks = stackalloc long[26];
        Span<uint> ids = stackalloc uint[26];
        for (long row = 0; row < 2000; row += 97)
        {
            double logit = generator.Row(row, counts, ranks, ids, out _);
            double dense = blind.Row(row, counts, blindRanks, ids, out _) - blind.Bias;
            Assert.Equal(ranks.ToArray(), blindRanks.ToArray());
            var v = new double[26][];
            for (int c = 0; c < 26; c++) v[c] = Latent(spec, c, ranks[c]);
            double expected = generator.Bias + dense;
            int r = spec.LatentRank;
            for (int c = 0; c < 26; c++)
                for (int j = 0; j < r; j++)
                    expected += spec.TokenSignal / Math.Sqrt(r) * UnitVariance(Key(spec.Seed, Projection, (ulong)(c * r + j))) * v[c][j];
            foreach ((int a, int b) in pairs)
                expected += spec.InteractionSignal / Math.Sqrt(r) * v[a].Zip(v[b], (x, y) => x * y).Sum();
            Assert.Equal(expected, logit, 9);
        }
    }

    private const ulong Cluster = 6, ClusterLatent = 7, IdLatent = 8, Projection = 9; // SyntheticStream's numbers

    /// <summary>An id's latent, straight from the formula of StructuredTeacher's remarks (a linear scan for the cluster).</summary>
    private static double[] Latent(SyntheticSpec spec, int column, long rank)
    {
        double u = (Mix(Key(spec.Seed, Cluster, (ulong)column) ^ (ulong)rank) >> 11) / (double)(1UL << 53);
        double[] weights = Enumerable.Range(0, spec.Clusters).Select(g => Math.Pow(g + 1, -spec.ClusterSkew)).ToArray();
        double below = 0;
        int cluster = spec.Clusters - 1;
        for (int g = 0; g < spec.Clusters; g++)
        {
            below += weights[g] / weights.Sum();
            if (u < below) { cluster = g; break; }
        }
        int r = spec.LatentRank;
        var v = new double[r];
        ulong own = Mix(Key(spec.Seed, IdLatent, (ulong)column) ^ (ulong)rank);
        for (int j = 0; j < r; j++)
            v[j] = Math.Sqrt(1 - spec.IdNoise) * UnitVariance(Key(spec.Seed, ClusterLatent, (ulong)(((column * spec.Clusters) + cluster) * r + j)))
                + Math.Sqrt(spec.IdNoise) * UnitVariance(Mix(own + (ulong)j));
        return v;
    }

    [Fact]
    public void Cached_ranks_give_the_bits_the_per_draw_path_computes()
    {
        SyntheticSpec spec = Spec(seed: 4) with { Clusters = 11, LatentRank = 5, IdNoise = 0.3, ClusterSkew = 1.3 };
        (int A, int B)[] pairs = [(0, 1), (2, 7)];
        var cached = new StructuredTeacher(spec, pairs, cachedRanks: 300);
        var direct = new StructuredTeacher(spec, pairs, cachedRanks: 0);
        var random = new Random(8);
        for (int i = 0; i < 4000; i++)
        {
            int column = random.Next(26);
            long rank = i % 2 == 0 ? random.Next(600) : random.NextInt64(1L << 40); // around the cache's edge, and far past it
            Assert.Equal(direct.Cluster(column, rank), cached.Cluster(column, rank));
            double scale = random.NextDouble() * 2 - 1;
            double[] a = Enumerable.Range(0, 5).Select(_ => random.NextDouble()).ToArray(), b = (double[])a.Clone();
            direct.AddLatent(column, rank, scale, a);
            cached.AddLatent(column, rank, scale, b);
            Assert.Equal(a.Select(BitConverter.DoubleToInt64Bits), b.Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Theory]
    [InlineData(16, 1.0)]
    [InlineData(11, 1.3)]
    [InlineData(1, 1.0)]
    [InlineData(2, 0.0)]
    [InlineData(StructuredTeacher.MaxClusters, 10.0)] // the tail's shares round away: runs of equal cumulative shares
    public void The_branch_free_cluster_search_gives_the_binary_searchs_cluster(int clusters, double skew)
    {
        var teacher = new StructuredTeacher(Spec() with { Clusters = clusters, ClusterSkew = skew }, [(0, 1)], cachedRanks: 0);
        double[] shares = teacher.CumulativeShares.ToArray();
        if (clusters == StructuredTeacher.MaxClusters) Assert.True(shares.Distinct().Count() < shares.Length);
        var random = new Random(3);
        // Every share exactly (ties, where the search's path decides) and its neighbours, then random uniforms.
        IEnumerable<double> us = shares.SelectMany(c => new[] { c, Math.BitDecrement(c), Math.BitIncrement(c) })
            .Concat([0.0, Math.BitDecrement(1.0)])
            .Concat(Enumerable.Range(0, 100_000).Select(_ => random.NextDouble()));
        foreach (double u in us) Assert.Equal(teacher.SearchCluster(u), teacher.ClusterOf(u));
    }

    [Fact]
    public void The_stream_numbers_the_formula_test_uses_are_the_generators()
    {
        Assert.Equal(Cluster, (ulong)SyntheticStream.Cluster);
        Assert.Equal(ClusterLatent, (ulong)SyntheticStream.ClusterLatent);
        Assert.Equal(IdLatent, (ulong)SyntheticStream.IdLatent);
        Assert.Equal(Projection, (ulong)SyntheticStream.Projection);
    }

    [Fact]
    public void Bad_knobs_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new SyntheticGenerator(Spec() with { Clusters = 0 }));
        Assert.Throws<ArgumentException>(() => new SyntheticGenerator(Spec() with { LatentRank = 0 }));
        Assert.Throws<ArgumentException>(() => new SyntheticGenerator(Spec() with { IdNoise = 1.5 }));
        Assert.Throws<ArgumentException>(() => new SyntheticGenerator(Spec() with { ClusterSkew = -1 }));
        Assert.Throws<ArgumentException>(() => new SyntheticGenerator(Spec() with { Coherence = 1.5 }));
    }

    // The hashes as StreamHash defines them, written out again so that the formula is checked, not just reused.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong Key(long seed, ulong what, ulong index) =>
        Mix(Mix(unchecked((ulong)seed) + 0x9E3779B97F4A7C15UL * (what + 1)) ^ (index * 0xD1B54A32D192ED03UL));

    private static double UnitVariance(ulong hash) => ((hash >> 11) / (double)(1UL << 53) * 2.0 - 1.0) * Math.Sqrt(3);
}
