using RobeGen.Models;
using RobeGen.Lab.Study;
using RobeGen.Training;

namespace RobeGen.Tests.Study;

/// <summary>How the sweep's QR method turns a compression ratio into per-table Q and R, against brute force.</summary>
public sealed class QuotientRemainderSizingTests
{
    private static long Rows(long n, long r) => (n + r - 1) / r + r;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(97)]
    [InlineData(1460)]
    [InlineData(12_517)]
    [InlineData(93_145)]
    public void Smallest_and_Within_agree_with_brute_force(long n)
    {
        // Brute force over every R in [1, n].
        long fewest = Enumerable.Range(1, (int)n).Min(r => Rows(n, r));
        QuotientRemainderSplit smallest = QuotientRemainderSizing.Smallest(n);
        Assert.Equal(fewest, smallest.Rows);
        Assert.True(smallest.QuotientRows * smallest.RemainderRows >= n);
        foreach (long cap in new[] { fewest, fewest + 1, 2 * fewest, n / 3 + 2, n + 1, 2 * n + 5 })
        {
            QuotientRemainderSplit split = QuotientRemainderSizing.Within(n, cap);
            long firstFit = Enumerable.Range(1, (int)n).Select(r => (long)r).FirstOrDefault(r => Rows(n, r) <= cap);
            if (firstFit == 0 || cap <= fewest) Assert.Equal(smallest, split);
            else Assert.Equal(new QuotientRemainderSplit((n + firstFit - 1) / firstFit, firstFit), split);
            Assert.True(split.Rows <= Math.Max(cap, fewest));
        }
        Assert.Equal(new QuotientRemainderSplit(n, 1), QuotientRemainderSizing.Within(n, n + 1)); // room for all: every id its own quotient row
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(1000)]
    public void Kaggle_tables_spend_the_budget_of_a_reachable_ratio(double ratio)
    {
        ModelDeclaration kaggle = CriteoKaggle.Definition.Declaration;
        long[] full = kaggle.Tables.Select(t => t.Cardinality).ToArray();
        QuotientRemainderSplit[] splits = QuotientRemainderSizing.ForCompression(full, ratio);
        double budget = full.Sum() / ratio;
        long rows = splits.Sum(s => s.Rows);
        Assert.InRange(rows, 0.99 * budget, budget);
        for (int t = 0; t < full.Length; t++)
        {
            Assert.Equal((full[t] + splits[t].RemainderRows - 1) / splits[t].RemainderRows, splits[t].QuotientRows);
            Assert.True(splits[t].Rows >= QuotientRemainderSizing.Smallest(full[t]).Rows);
        }
        Assert.Equal(new QuotientRemainderSplit(3, 1), splits[8]);   // the 3-id table stays exact: one quotient row per id

        // The layout the sweep builds from it allocates exactly those rows.
        EmbeddingOverrides overrides = ModelSetup.Overrides(kaggle, new StorageChoice(EmbeddingStorage.QuotientRemainder, ratio));
        EmbeddingLayout layout = EmbeddingLayout.FromDeclaration(kaggle, overrides);
        Assert.Equal(rows * kaggle.EmbeddingDim, layout.TotalParameters);
        Assert.Equal(splits.Select(s => s.QuotientRows), layout.QuotientRows);
    }

    [Fact]
    public void An_unreachable_ratio_gets_the_smallest_QR_and_the_report_says_so()
    {
        ModelDeclaration kaggle = CriteoKaggle.Definition.Declaration;
        long[] full = kaggle.Tables.Select(t => t.Cardinality).ToArray();
        // 10000x asks for 3,376 rows; the smallest QRs of the Kaggle tables need 28,801 (about 2 sqrt(n) each).
        QuotientRemainderSplit[] splits = QuotientRemainderSizing.ForCompression(full, 10_000);
        Assert.Equal(full.Select(QuotientRemainderSizing.Smallest), splits);
        Assert.Equal(28_801, splits.Sum(s => s.Rows));

        long fullBytes = full.Sum() * 16 * 4;
        long qrBytes = 28_801L * 16 * 4;
        SweepResult[] results =
        [
            new("robe-z4", "ROBE Z=4", 10_000, 1, fullBytes / 10_000, 0, 0.70, 0.5, 10, 1, "CPU"),
            new("qr", "QR", 10_000, 1, qrBytes, 0, 0.69, 0.5, 10, 1, "CPU"),
            new("qr", "QR", 100, 1, 337_616L * 16 * 4, 0, 0.71, 0.5, 10, 1, "CPU"),
            new("qr-scaled", "QR (scaled init)", 10_000, 1, qrBytes, 0, 0.71, 0.5, 10, 1, "CPU"),
        ];
        string table = SweepReport.Markdown(results, null, fullBytes);
        Assert.Contains("| QR | 10000x: unreachable, smallest is 1172x |", table);
        Assert.Contains("| QR | 100x |", table);
        Assert.Contains("| ROBE Z=4 | 10000x |", table);
        string line = Assert.Single(SweepReport.Targets(results, synthetic: true, "robe-z4", fullBytes), l => l.StartsWith("ROBE beats QR at", StringComparison.Ordinal));
        Assert.Contains("QR cannot reach 10000x", line);
        Assert.Contains(SweepReport.Targets(results, synthetic: true, "robe-z4", fullBytes), l => l.StartsWith("ROBE beats QR (scaled init) at 10000x: NOT MET", StringComparison.Ordinal));
    }
}
