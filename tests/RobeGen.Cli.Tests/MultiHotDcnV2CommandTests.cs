namespace RobeGen.Cli.Tests;

/// <summary>
/// The built-in multi-hot MLPerf DLRM-DCNv2 through the CLI on the CPU: the bench at a tiny batch (bags of MLPerf's
/// hotness, 214 ids per sample), and synthetic rows written by synth --model and trained on by train --model.
/// </summary>
public sealed class MultiHotDcnV2CommandTests
{
    [Fact]
    public void Bench_runs_the_multi_hot_dcnv2_on_the_cpu_and_says_how_many_ids_a_sample_holds()
    {
        using var scratch = new Scratch();
        string csv = scratch.File("bench.csv");
        var bench = Robegen.Run("bench", "--device", "cpu", "--models", "mlperf-dcnv2-multihot", "--batches", "32", "--storages", "robe",
            "--timed-steps", "1", "--csv", csv);
        Assert.True(bench.ExitCode == 0, bench.All);
        Assert.Contains("214 ids per sample", bench.Stdout);
        Assert.Matches(@"CriteoTerabyteDcnV2MultiHot\s+ROBE Z=32\s+32\s+214\s+[\d,]+", bench.Stdout);
        string[] lines = File.ReadAllLines(csv);
        Assert.EndsWith(",ids_per_sample", lines[0]);
        Assert.EndsWith(",214", lines[1]);
    }

    [Fact]
    [Trait("Tier", "Slow")] // vocabulary, a 26M-float ROBE array and the 3,456-wide cross layers on the CPU: over 10 s
    public void Synth_writes_multi_hot_rows_that_train_reads_on_the_cpu()
    {
        using var scratch = new Scratch();
        string train = scratch.File("train.csv"), eval = scratch.File("eval.csv");
        string[] synthetic = ["--model", "criteo-terabyte-dcnv2-multihot", "--cardinalities", "mlperf", "--cardinality-scale", "0.001"];
        var written = Robegen.Run(["synth", "--rows", "600", "--out", train, .. synthetic]);
        Assert.True(written.ExitCode == 0, written.All);
        Assert.Contains("multi-hot rows", written.Stdout);
        Assert.Matches(@"teacher on the first 600 of these rows \(the best achievable\): AUC 0\.\d{4}", written.Stdout);
        Assert.StartsWith("label,I1,", File.ReadLines(train).First());
        Assert.True(Robegen.Run(["synth", "--rows", "200", "--eval", "--out", eval, .. synthetic]).ExitCode == 0);

        var trained = Robegen.Run("train", "--model", "criteo-terabyte-dcnv2-multihot", "--data", train, "--eval-data", eval,
            "--device", "cpu", "--batch-size", "128", "--max-steps", "3", "--lr", "0.001");
        Assert.True(trained.ExitCode == 0, trained.All);
        Assert.Contains("CriteoTerabyteDcnV2MultiHot", trained.Stdout);
        Assert.Matches(@"eval AUC\s+0\.\d+", trained.Stdout);
    }

    [Fact]
    public void Synth_refuses_a_single_hot_model()
    {
        using var scratch = new Scratch();
        var refused = Robegen.Run("synth", "--rows", "10", "--out", scratch.File("x.csv"), "--model", "criteo-terabyte-dcnv2");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("not a multi-hot model", refused.All);
    }
}
