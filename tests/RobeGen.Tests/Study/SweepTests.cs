using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Models;
using RobeGen.Lab.Study;
using RobeGen.Synthetic;
using RobeGen.Tests.Data;
using RobeGen.Training;

namespace RobeGen.Tests.Study;

public class SweepTests
{
    [Fact]
    public void Capped_hashing_spends_the_budget_of_the_ratio_and_keeps_small_tables_exact()
    {
        long[] full = [3, 10, 1000, 50_000, 200_000, 7];
        long[] rows = ModelSetup.CappedRows(full, 10);
        double budget = full.Sum() / 10.0;
        Assert.True(rows.Sum() <= budget + 1e-9, $"{rows.Sum()} rows over a budget of {budget}");
        // Reference: the largest integer cap c with sum(min(full, c)) <= budget, found by brute force.
        long cap = 1;
        while (full.Sum(f => Math.Min(f, cap + 1)) <= budget) cap++;
        // Tables under the cap are exact; the others get the cap, or one more row where flooring left spare budget.
        for (int t = 0; t < full.Length; t++)
            if (full[t] <= cap) Assert.Equal(full[t], rows[t]);
            else Assert.InRange(rows[t], cap, cap + 1);
        Assert.Equal(new long[] { 3, 10, 1000, 7 }, new[] { rows[0], rows[1], rows[2], rows[5] });
        Assert.All(ModelSetup.CappedRows(full, 1e6), r => Assert.True(r >= 1));
    }

    [Fact]
    public void Ratios_are_taken_against_the_given_full_rows()
    {
        ModelDeclaration d = CriteoKaggle.Definition.Declaration;
        long[] full = d.Tables.Select(t => Math.Max(4, t.Cardinality / 100)).ToArray();
        EmbeddingOverrides robe = ModelSetup.Overrides(d, new StorageChoice(EmbeddingStorage.Robe, 100), full);
        Assert.Equal((long)Math.Round(full.Sum() * 16 / 100.0), robe.RobeSlots);
        EmbeddingOverrides declared = ModelSetup.Overrides(d, new StorageChoice(EmbeddingStorage.Robe, 1000));
        Assert.Equal(540_201, declared.RobeSlots);
        Assert.Throws<ArgumentException>(() => ModelSetup.Overrides(d, new StorageChoice(EmbeddingStorage.Full, 10)));
    }

    [Fact]
    public void Results_file_round_trips_and_the_report_gives_mean_and_spread()
    {
        using var folder = new TempFolder();
        string path = folder.File("results.csv");
        SweepResult[] results =
        [
            new("full", "Full", 0, 1, 4000, 9000, 0.70, 0.50, 100, 1.5, "CPU, x"),
            new("full", "Full", 0, 2, 4000, 9000, 0.72, 0.48, 100, 1.5, "CPU"),
            new("robe-z4", "ROBE Z=4", 1000, 1, 40, 5040, 0.69, 0.49, 100, 1.0, "CPU"),
            new("robe-z4", "ROBE Z=4", 1000, 2, 40, 5040, 0.67, 0.51, 100, 1.0, "CPU"),
            new("hashed", "Hashed", 1000, 1, 40, 5040, 0.60, 0.55, 100, 1.0, "CPU"),
        ];
        foreach (SweepResult r in results) SweepResultsFile.Append(path, r);
        IReadOnlyList<SweepResult> loaded = SweepResultsFile.Load(path);
        Assert.Equal(results.Select(r => r with { Device = r.Device.Replace(',', ';') }), loaded);

        string table = SweepReport.Markdown(loaded, null);
        Assert.Contains("| Full | 1x (reference) | 3.91 KiB | 8.79 KiB | 2 | 0.7100 | 0.7000..0.7200 | 0.4900 | 0.4800..0.5000 |  |", table);
        Assert.Contains("| ROBE Z=4 | 1000x | 40 B | 4.92 KiB | 2 | 0.6800 | 0.6700..0.6900 | 0.5000 | 0.4900..0.5100 | -0.0300 |", table);

        IReadOnlyList<string> real = SweepReport.Targets(loaded, synthetic: false, "robe-z4");
        Assert.StartsWith("ROBE 1000x within the seed-to-seed spread of Full: NOT MET", real[0]); // 0.68 below Full's 0.70..0.72
        IReadOnlyList<string> synthetic = SweepReport.Targets(loaded, synthetic: true, "robe-z4");
        Assert.StartsWith("ROBE 1000x within 0.002 AUC of Full: NOT MET", synthetic[0]);
        Assert.StartsWith("ROBE beats Hashed at 1000x: MET", synthetic[1]);
    }

    [Theory]
    [InlineData(-1e-7, "+0.0000")] // printed "-+0.0000" before: a negative that rounds to zero
    [InlineData(-0.0, "+0.0000")]
    [InlineData(0.00004, "+0.0000")]
    [InlineData(0.00016, "+0.0002")]
    [InlineData(-0.0031, "-0.0031")]
    [InlineData(0.0125, "+0.0125")]
    public void An_auc_difference_prints_one_sign(double difference, string expected) =>
        Assert.Equal(expected, SweepReport.SignedAuc(difference));

    [Fact]
    public void A_sweep_trains_each_cell_once_and_continues_from_known_results()
    {
        var generator = new SyntheticGenerator(new SyntheticSpec { Seed = 3, Cardinalities = SyntheticSpec.CardinalityTable("kaggle", 0.0005) });
        SweepData data = SweepData.FromSynthetic(generator, 1024, 512);
        IReadOnlyList<SweepMethod> methods = SweepMethod.Select(["full", "hashed", "robe-z4"], 16, 4);
        var plan = new SweepPlan(CriteoKaggle.Definition, methods, [100], [1],
            new ModelOptions { Threads = 1, MaxBatchSize = 256, Optimizer = OptimizerKind.Adagrad },
            new TrainingOptions { BatchSize = 256, LearningRate = LearningRateSchedule.Parse("constant", 0.01f) });
        var seen = new List<SweepResult>();
        IReadOnlyList<SweepResult> results = SweepRunner.Run(data, plan, [], seen.Add);

        Assert.Equal(3, results.Count);
        Assert.Equal(results, seen);
        long[] full = CriteoKaggle.Definition.Declaration.Tables.Select(t => generator.Spec.Cardinalities[t.Column]).ToArray();
        SweepResult robe = results.Single(r => r.Method == "robe-z4");
        Assert.Equal(ModelSetup.SlotsFor(CriteoKaggle.Definition.Declaration, full, 100) * 4, robe.EmbeddingBytes);
        SweepResult hashed = results.Single(r => r.Method == "hashed");
        Assert.Equal(ModelSetup.CappedRows(full, 100).Sum() * 16 * 4, hashed.EmbeddingBytes);
        Assert.All(results, r => Assert.InRange(r.Auc, 0.3, 1.0));
        Assert.All(results, r => Assert.Equal(1024, r.TrainRows));
        // Full has a row per id seen in the 1024 training rows plus row 0 per table: more than the 100x cells.
        Assert.True(results.Single(r => r.Method == "full").EmbeddingBytes > robe.EmbeddingBytes);

        // Known cells are not trained again.
        var again = new List<SweepResult>();
        Assert.Equal(3, SweepRunner.Run(data, plan, results, again.Add).Count);
        Assert.Empty(again);
        Assert.NotNull(data.Teacher(CriteoKaggle.Definition.Declaration));
    }

    [Fact]
    public void Methods_pick_their_twin_declaration_and_unknown_names_are_refused()
    {
        IReadOnlyList<SweepMethod> all = SweepMethod.All(16, 4);
        Assert.Equal(["full", "hashed", "qr", "qr-scaled", "robe-z1", "robe-z4", "robe-z16", "robe-circular", "robe-signed"], all.Select(m => m.Name));
        Assert.Equal(RobeVariant.Circular, all.Single(m => m.Name == "robe-circular").Definition(CriteoKaggle.Definition).Declaration.Variant);
        Assert.Equal(RobeVariant.Signed, all.Single(m => m.Name == "robe-signed").Definition(CriteoKaggle.Definition).Declaration.Variant);
        Assert.Same(CriteoKaggle.Definition, all.Single(m => m.Name == "robe-z16").Definition(CriteoKaggle.Definition));
        Assert.Throws<ArgumentException>(() => all.Single(m => m.Name == "robe-signed").Definition(CriteoTerabyte.Definition));
        Assert.Throws<ArgumentException>(() => SweepMethod.Select(["nope"], 16, 4));
        // The twins differ from the reference model only in the variant.
        ModelDeclaration twin = CriteoKaggleSigned.Definition.Declaration, reference = CriteoKaggle.Definition.Declaration;
        Assert.Equal(reference.Tables.Select(t => (t.Column, t.Cardinality)), twin.Tables.Select(t => (t.Column, t.Cardinality)));
        Assert.Equal(reference.MlpParameterCount, twin.MlpParameterCount);
        Assert.Equal(reference.RobeSlots, twin.RobeSlots);
    }
}
