namespace RobeGen.Cli.Tests;

/// <summary><c>robegen synth</c> and <c>robegen sweep</c> end to end.</summary>
public sealed class StudyCommandTests
{
    [Fact]
    public void Synth_writes_Criteo_rows_and_prints_the_teacher_AUC_and_the_same_seed_gives_the_same_file()
    {
        using var scratch = new Scratch();
        var first = Robegen.Run("synth", "--rows", "3000", "--out", scratch.File("a.tsv"), "--cardinality-scale", "0.001", "--threads", "2");
        Assert.True(first.ExitCode == 0, first.All);
        Assert.Matches(@"teacher on the first 3,000 of these rows \(the best achievable\): AUC 0\.\d{4}", first.Stdout);
        string[] lines = File.ReadAllLines(scratch.File("a.tsv"));
        Assert.Equal(3000, lines.Length);
        Assert.All(lines, l => Assert.Equal(40, l.Split('\t').Length));

        var second = Robegen.Run("synth", "--rows", "3000", "--out", scratch.File("b.tsv"), "--cardinality-scale", "0.001", "--threads", "1", "--teacher-rows", "0");
        Assert.True(second.ExitCode == 0, second.All);
        Assert.Equal(File.ReadAllBytes(scratch.File("a.tsv")), File.ReadAllBytes(scratch.File("b.tsv")));
    }

    [Fact]
    public void Sweep_on_synthetic_rows_writes_results_table_and_plot_and_a_rerun_trains_nothing()
    {
        using var scratch = new Scratch();
        string[] args = ["sweep", "--synthetic-rows", "600", "--synthetic-eval-rows", "300", "--cardinality-scale", "0.0005",
            "--methods", "hashed", "robe-z4", "--ratios", "100", "1000", "--seeds", "1", "--batch-size", "200", "--threads", "1", "--out", scratch.Path];
        var sweep = Robegen.Run(args);
        Assert.True(sweep.ExitCode == 0, sweep.All);
        Assert.Contains("[4/4] ROBE Z=4 1000x, seed 1", sweep.Stdout);
        Assert.Contains("| ROBE Z=4 | 1000x |", sweep.Stdout);
        Assert.Contains("Teacher (the labels' own probabilities", sweep.Stdout);
        Assert.Contains("ROBE beats Hashed (capped) at 100x:", sweep.Stdout);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(scratch.Path, "results.csv")).Length);
        Assert.Contains("| Hashed (capped) | 100x |", File.ReadAllText(Path.Combine(scratch.Path, "sweep.md")));
        byte[] png = File.ReadAllBytes(Path.Combine(scratch.Path, "sweep.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

        var rerun = Robegen.Run(args);
        Assert.True(rerun.ExitCode == 0, rerun.All);
        Assert.Contains("continuing: 4 results", rerun.Stdout);
        Assert.DoesNotContain("[1/4]", rerun.Stdout);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(scratch.Path, "results.csv")).Length);

        args[2] = "700"; // other training rows: the results in the folder are not theirs
        var mixed = Robegen.Run(args);
        Assert.Equal(1, mixed.ExitCode);
        Assert.Contains("holds results of other settings", mixed.Stderr);
    }

    [Fact]
    public void Sweep_refuses_files_without_evaluation_files()
    {
        var sweep = Robegen.Run("sweep", "--data", "x.tsv");
        Assert.Equal(1, sweep.ExitCode);
        Assert.Contains("--data needs --eval-data", sweep.Stderr);
    }
}
