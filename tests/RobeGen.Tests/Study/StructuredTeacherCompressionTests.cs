using RobeGen.Backends;
using RobeGen.Lab.Study;
using RobeGen.Models;
using RobeGen.Synthetic;
using RobeGen.Training;
using Xunit.Abstractions;

namespace RobeGen.Tests.Study;

/// <summary>
/// Why the structured teacher exists: on it, ROBE at high compression should get closer to Full than on the independent
/// teacher, whose per-token weights no compression can keep (docs/accuracy.md, section b4). One seed, small data.
/// </summary>
[Trait("Tier", "Slow")] // four models on 200K rows: about a minute and a half on 2 cores
public sealed class StructuredTeacherCompressionTests(ITestOutputHelper output)
{
    [Fact]
    public void ROBE_1000x_is_no_further_from_Full_on_the_structured_teacher()
    {
        double independent = Gap(SyntheticTeacher.Independent), structured = Gap(SyntheticTeacher.Structured);
        // Measured (2-core VM): independent -0.0013, structured -0.0041: at 200K rows ROBE 1000x is level with Full on
        // both (Full has too few rows per id), so this only checks that the structured teacher is no harder to compress;
        // that it is much easier is NOT shown at CPU sizes (docs/accuracy.md, b4).
        Assert.True(structured < independent + 0.003, $"Full - ROBE 1000x: structured {structured:F4}, independent {independent:F4}");
    }

    /// <summary>Full's AUC minus ROBE Z=4 1000x's, one seed, 200K training rows of tables x 0.01.</summary>
    private double Gap(SyntheticTeacher teacher)
    {
        var generator = new SyntheticGenerator(new SyntheticSpec
        {
            Seed = 1,
            Cardinalities = SyntheticSpec.CardinalityTable("kaggle", 0.01),
            Teacher = teacher,
        });
        SweepData data = SweepData.FromSynthetic(generator, 200_000, 50_000);
        var plan = new SweepPlan(CriteoKaggle.Definition, SweepMethod.Select(["full", "robe-z4"], 16, 4), [1000], [1],
            new ModelOptions { Threads = 2, MaxBatchSize = 2048, Optimizer = OptimizerKind.Adagrad },
            new TrainingOptions { BatchSize = 2048, LearningRate = LearningRateSchedule.Parse("constant", 0.01f) });
        IReadOnlyList<SweepResult> results = SweepRunner.Run(data, plan, []);
        double full = results.Single(r => r.Method == "full").Auc, robe = results.Single(r => r.Method == "robe-z4").Auc;
        output.WriteLine($"{teacher}: teacher AUC {data.Teacher(CriteoKaggle.Definition.Declaration)!.Auc:F4}, Full {full:F4}, ROBE 1000x {robe:F4}, gap {full - robe:F4}");
        return full - robe;
    }
}
