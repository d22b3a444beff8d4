using RobeGen.Synthetic;

namespace RobeGen.Tests.Synthetic;

public class ZipfSamplerTests
{
    private struct Uniforms(ulong seed) : IUniformSource
    {
        private ulong _state = seed;
        public double NextUniform()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
        }
    }

    [Theory]
    [InlineData(40, 1.1)]
    [InlineData(40, 1.0)]
    [InlineData(25, 0.6)]
    [InlineData(12, 2.5)]
    public void Draws_follow_the_exact_Zipf_probabilities(int n, double s)
    {
        var sampler = new ZipfSampler(n, s);
        var random = new Uniforms(7);
        const int Draws = 200_000;
        var counts = new long[n];
        for (int i = 0; i < Draws; i++) counts[sampler.Sample(ref random)]++;

        // Pearson chi-square against the exact pmf 1/(k+1)^s / H(n, s), computed here independently of the sampler.
        double norm = Enumerable.Range(1, n).Sum(k => Math.Pow(k, -s));
        double chi2 = 0;
        for (int k = 0; k < n; k++)
        {
            double expected = Draws * Math.Pow(k + 1, -s) / norm;
            chi2 += (counts[k] - expected) * (counts[k] - expected) / expected;
        }
        // 99.9th percentile of chi-square with n - 1 <= 39 degrees of freedom is below 73.
        Assert.True(chi2 < 73, $"chi-square {chi2:F1} over {n - 1} degrees of freedom");
    }

    [Fact]
    public void Huge_supports_keep_the_head_ratios_and_stay_in_range()
    {
        var sampler = new ZipfSampler(10_000_000, 1.1);
        var random = new Uniforms(3);
        long zeros = 0, ones = 0, max = 0;
        const int Draws = 400_000;
        for (int i = 0; i < Draws; i++)
        {
            long k = sampler.Sample(ref random);
            if (k == 0) zeros++;
            if (k == 1) ones++;
            max = Math.Max(max, k);
        }
        Assert.InRange(max, 0, 9_999_999);
        Assert.InRange(zeros / (double)ones, Math.Pow(2, 1.1) * 0.95, Math.Pow(2, 1.1) * 1.05);
        Assert.InRange(zeros / (double)Draws, sampler.Probability(0) * 0.97, sampler.Probability(0) * 1.03);
    }

    [Fact]
    public void A_single_token_is_always_drawn()
    {
        var sampler = new ZipfSampler(1, 1.2);
        var random = new Uniforms(1);
        for (int i = 0; i < 1000; i++) Assert.Equal(0, sampler.Sample(ref random));
    }

    [Theory]
    [InlineData(3, 40_000_000, 1.1)]
    [InlineData(40_000_000, 7, 1.1)]
    [InlineData(5, 12, 0.6)]
    [InlineData(1, 2, 2.5)]
    public void A_pair_of_draws_is_the_two_draws_one_after_the_other(long firstCount, long secondCount, double s)
    {
        // Small supports and low exponents reject often: both of SamplePair's fallbacks are taken many times here.
        var first = new ZipfSampler(firstCount, s);
        var second = new ZipfSampler(secondCount, s);
        var paired = new RowRandom(11);
        var single = new RowRandom(11);
        for (int i = 0; i < 100_000; i++)
        {
            ZipfSampler.SamplePair(first, second, ref paired, out long a, out long b);
            Assert.Equal(first.Sample(ref single), a);
            Assert.Equal(second.Sample(ref single), b);
        }
        Assert.Equal(single.Next(), paired.Next()); // the same uniforms used up
    }
}
