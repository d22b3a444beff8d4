using RobeGen.Checkpoints;

namespace RobeGen.Cli.Tests;

/// <summary>
/// <c>robegen train --synthetic-rows</c>: rows made on the fly, evaluated on a disjoint synthetic range, and a run stopped
/// part way (--max-steps) and resumed from its checkpoint ends with exactly the parameters of a run that never stopped.
/// </summary>
public sealed class SyntheticTrainingTests
{
    private static string[] Train(string save, params string[] more) =>
    [
        "train", "--synthetic-rows", "6000", "--synthetic-eval-rows", "2000", "--synth-seed", "4", "--cardinality-scale", "0.001",
        "--batch-size", "256", "--epochs", "2", "--threads", "1", "--seed", "3", "--save", save, .. more,
    ];

    [Fact]
    public void A_synthetic_run_stopped_and_resumed_ends_with_the_parameters_of_an_uninterrupted_one()
    {
        using var temp = new Scratch();
        string whole = Path.Combine(temp.Path, "whole.rgck"), parts = Path.Combine(temp.Path, "parts.rgck");
        Robegen.Result reference = Robegen.Run(Train(whole));
        Assert.True(reference.ExitCode == 0, reference.All);
        Assert.Contains("eval rows      2,000", reference.Stdout);

        Robegen.Result first = Robegen.Run(Train(parts, "--max-steps", "30"));
        Assert.True(first.ExitCode == 0, first.All);
        Robegen.Result rest = Robegen.Run(Train(parts, "--resume", parts));
        Assert.True(rest.ExitCode == 0, rest.All);
        Assert.Contains("resuming at step 30", rest.All);

        Checkpoint expected = CheckpointFile.Load(whole), actual = CheckpointFile.Load(parts);
        Assert.Equal(expected.Step, actual.Step);
        foreach ((string name, float[] values) in expected.State.Tensors)
            Assert.True(values.AsSpan().SequenceEqual(actual.State[name]), $"tensor {name} differs after resuming");
    }

    /// <summary>Full tables (and the MLPerf model, which takes vocabulary indices) read synthetic rows as their ranks: no
    /// vocabulary pass over the rows, none in the checkpoint, and a resumed run ends where an uninterrupted one does.</summary>
    [Theory]
    [InlineData("--storage", "full")]
    [InlineData("--model", "criteo-terabyte", "--slots", "65536")]
    public void A_model_that_takes_indices_trains_on_synthetic_ranks_and_resumes_exactly(params string[] model)
    {
        using var temp = new Scratch();
        string whole = Path.Combine(temp.Path, "whole.rgck"), parts = Path.Combine(temp.Path, "parts.rgck");
        string[] Short(string save, params string[] more) => [.. Train(save, [.. model, .. more]).Select(a => a == "6000" ? "3000" : a)];
        Robegen.Result reference = Robegen.Run(Short(whole));
        Assert.True(reference.ExitCode == 0, reference.All);
        Assert.Contains("given as the ids' ranks (no vocabulary pass)", reference.All);
        Assert.DoesNotContain("building the vocabulary", reference.All);

        Robegen.Result first = Robegen.Run(Short(parts, "--max-steps", "9"));
        Assert.True(first.ExitCode == 0, first.All);
        Robegen.Result rest = Robegen.Run(Short(parts, "--resume", parts));
        Assert.True(rest.ExitCode == 0, rest.All);

        Checkpoint expected = CheckpointFile.Load(whole), actual = CheckpointFile.Load(parts);
        Assert.Empty(expected.Vocabularies);
        Assert.Equal(expected.Step, actual.Step);
        foreach ((string name, float[] values) in expected.State.Tensors)
            Assert.True(values.AsSpan().SequenceEqual(actual.State[name]), $"tensor {name} differs after resuming");
        // inspect shows it too: every tensor's hash line is the same (how runs on a GPU machine are compared).
        static string[] Hashes(string path) => Robegen.Run("inspect", "--checkpoint", path).Stdout.Split('\n').Where(l => l.Contains("xxh64")).ToArray();
        Assert.Equal(expected.State.Tensors.Count(), Hashes(whole).Length);
        Assert.Equal(Hashes(whole), Hashes(parts));

        // Resumed with larger synthetic columns than its Full tables have rows for: refused, naming the flag.
        if (model[0] != "--storage") return;
        Robegen.Result wider = Robegen.Run([.. Short(parts, "--resume", parts).Select(a => a == "0.001" ? "0.002" : a)]);
        Assert.Equal(2, wider.ExitCode);
        Assert.Contains("--cardinalities", wider.Stderr);
        Assert.DoesNotContain("   at ", wider.All);
    }

    [Theory]
    [InlineData("--synthetic-rows", "100", "--data", "x.tsv")]
    [InlineData("--synthetic-rows", "100", "--holdout", "0.1")]
    [InlineData("--synthetic-eval-rows", "100")]
    public void Synthetic_rows_with_files_or_a_holdout_are_a_usage_error(params string[] arguments)
    {
        Robegen.Result result = Robegen.Run(["train", .. arguments]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--synthetic", result.Stderr);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Theory]
    [InlineData("with --synthetic-rows", "train", "--teacher", "structured")]
    [InlineData("with --synthetic-rows", "train", "--cardinalities", "mlperf", "--max-steps", "1")]
    [InlineData("with --synthetic", "bench", "--device", "cpu", "--synth-seed", "3")]
    [InlineData("without --data", "sweep", "--data", "x.tsv", "--zipf", "1.2")]
    public void A_synthetic_data_set_option_where_no_synthetic_rows_are_made_is_a_usage_error(string when, params string[] arguments)
    {
        Robegen.Result result = Robegen.Run(arguments);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"describes synthetic rows: it applies only {when}", result.Stderr);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public void An_unknown_cardinality_table_is_a_usage_error_naming_the_flag_and_the_tables()
    {
        Robegen.Result result = Robegen.Run("train", "--synthetic-rows", "10", "--cardinalities", "criteo");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--cardinalities must be one of kaggle, mlperf, terabyte, got 'criteo'", result.Stderr);
    }

    [Theory]
    [InlineData("synth", "--clusters", "0")]
    [InlineData("synth", "--latent-rank", "17")]
    [InlineData("synth", "--id-noise", "NaN")]
    [InlineData("synth", "--coherence", "1.5")]
    [InlineData("synth", "--cluster-skew", "-1")]
    [InlineData("synth", "--zipf", "0")]
    [InlineData("train", "--ctr", "1")]
    [InlineData("sweep", "--signal", "-2")]
    public void A_synthetic_data_set_value_out_of_range_is_a_usage_error_naming_the_flag(string command, string flag, string value)
    {
        string[] rest = command == "synth" ? ["--rows", "10", "--out", Path.Combine(Path.GetTempPath(), "never-written.tsv")] : ["--synthetic-rows", "10"];
        Robegen.Result result = Robegen.Run([command, flag, value, .. rest]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{flag} must be", result.Stderr);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Theory]
    [InlineData()]
    [InlineData("--model", "criteo-terabyte-dcnv2-multihot")]
    public void Synth_into_a_directory_is_a_usage_error_naming_out(params string[] model)
    {
        Robegen.Result result = Robegen.Run(["synth", "--rows", "10", "--out", Path.GetTempPath(), .. model]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--out", result.Stderr);
        Assert.Contains("is a directory", result.Stderr);
        Assert.DoesNotContain("   at ", result.All);
    }
}
