using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace RobeGen.Cli.Tests;

/// <summary>The robegen commands end to end, as a user runs them: train, eval, predict, inspect, and their errors.</summary>
public sealed class CommandTests
{
    [Fact]
    public void Train_with_no_data_uses_the_built_in_sample_and_then_eval_predict_and_inspect_read_its_checkpoint()
    {
        using var scratch = new Scratch();
        string checkpoint = scratch.File("model.rgck");

        var train = Robegen.Run("train", "--max-steps", "30", "--save", checkpoint);
        Assert.True(train.ExitCode == 0, train.All);
        Assert.Contains("built-in sample", train.Stdout);
        Assert.Contains("eval AUC", train.Stdout);
        Assert.Contains("compression    1,000.4x", train.Stdout);
        // The headline rate is the wall-clock one over the 30 steps' rows; the steps-only rate says so.
        Assert.Matches(@"throughput     [\d,]+ rows/s wall-clock \(3,840 rows in [\d.]+ s\); training steps alone [\d,]+ rows/s", train.Stdout);
        Assert.True(File.Exists(checkpoint));
        Assert.True(File.Exists(scratch.File("model.curve.png")), "no training curve beside the checkpoint");

        string sample = Robegen.RepositoryFile("samples/data/criteo_1tb_day0_head10k.tsv.gz");
        var eval = Robegen.Run("eval", "--checkpoint", checkpoint, "--data", sample);
        Assert.True(eval.ExitCode == 0, eval.All);
        Assert.Matches(@"^auc=0\.\d{6} logloss=\d+\.\d{6} rows=10000$", eval.LastLine);

        string predictions = scratch.File("p.txt");
        var predict = Robegen.Run("predict", "--checkpoint", checkpoint, "--data", sample, "--out", predictions);
        Assert.True(predict.ExitCode == 0, predict.All);
        string[] lines = File.ReadAllLines(predictions);
        Assert.Equal(10_000, lines.Length);
        Assert.All(lines, l => Assert.InRange(float.Parse(l, CultureInfo.InvariantCulture), 0f, 1f));

        var inspect = Robegen.Run("inspect", "--checkpoint", checkpoint);
        Assert.True(inspect.ExitCode == 0, inspect.All);
        Assert.Contains("RobeGen.Models.CriteoKaggle", inspect.Stdout);
        Assert.Contains("step 30", inspect.Stdout);
        Assert.Contains("matches this build", inspect.Stdout);
        // Each tensor's hash, computed as inspect streams the file, is the one of the tensor read whole.
        foreach ((string tensor, RobeGen.Backends.ChunkedFloats values) in RobeGen.Checkpoints.CheckpointFile.Load(checkpoint).State.ChunkedTensors)
            Assert.Matches($@"\n  {Regex.Escape(tensor)} +[\d,]+  xxh64 {values.ContentHash():x16}\n", inspect.Stdout.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_damaged_checkpoint_is_refused_in_one_line_and_gives_no_predictions()
    {
        using var scratch = new Scratch();
        string checkpoint = scratch.File("model.rgck");
        Assert.Equal(0, Robegen.Run("train", "--max-steps", "2", "--save", checkpoint).ExitCode);
        byte[] bytes = File.ReadAllBytes(checkpoint);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(checkpoint, bytes);

        string output = scratch.File("p.txt");
        var predict = Robegen.Run("predict", "--checkpoint", checkpoint, "--data", Robegen.RepositoryFile("samples/data/criteo_1tb_day0_head10k.tsv.gz"), "--out", output);
        Assert.Equal(1, predict.ExitCode);
        Assert.StartsWith("robegen: error:", predict.Stderr);
        Assert.Contains(checkpoint, predict.Stderr);
        Assert.DoesNotContain("   at ", predict.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_bad_row_stops_training_with_file_line_and_field_and_skip_bad_rows_keeps_it_in_a_rejects_file()
    {
        using var scratch = new Scratch();
        string data = scratch.File("bad.tsv");
        string good = "0\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\t12\t13" + string.Concat(Enumerable.Repeat("\t68fd1e64", 26));
        string bad = good.Replace("\t5\t", "\tfive\t");
        File.WriteAllLines(data, [.. Enumerable.Repeat(good, 40), bad, .. Enumerable.Repeat(good.Replace("0\t1\t", "1\t1\t"), 40)]);

        var stopped = Robegen.Run("train", "--data", data, "--holdout", "0.25");
        Assert.Equal(1, stopped.ExitCode);
        Assert.Contains("line 41", stopped.Stderr);
        Assert.Contains("I5", stopped.Stderr);
        Assert.Contains(data, stopped.Stderr);

        string rejects = scratch.File("rejects.tsv");
        var skipped = Robegen.Run("train", "--data", data, "--holdout", "0.25", "--skip-bad-rows", "--rejects", rejects);
        Assert.True(skipped.ExitCode == 0, skipped.All);
        Assert.Contains("rejected rows  1", skipped.Stdout);
        Assert.Equal([bad], File.ReadAllLines(rejects));
    }

    [Fact]
    public void Quotient_remainder_training_takes_the_chosen_initialization()
    {
        // The two initializations start the same model from different embeddings, so the same steps end elsewhere.
        string EvalLine(string init)
        {
            var run = Robegen.Run("train", "--storage", "quotientremainder", "--compression", "100", "--qr-init", init, "--max-steps", "20");
            Assert.True(run.ExitCode == 0, run.All);
            return run.Stdout.Split('\n').Single(l => l.StartsWith("eval logloss", StringComparison.Ordinal));
        }
        Assert.NotEqual(EvalLine("reference"), EvalLine("scalematched"));
        var bad = Robegen.Run("train", "--storage", "quotientremainder", "--qr-init", "sideways");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("sideways", bad.All);
    }

    [Theory]
    [InlineData("inspect", "--checkpoint")]
    [InlineData("eval", "--checkpoint")]
    public void A_directory_given_as_the_checkpoint_is_named_as_a_directory(string command, string flag)
    {
        using var temp = new Scratch();
        string[] rest = command == "eval" ? ["--data", Path.Combine(temp.Path, "x.tsv")] : [];
        var result = Robegen.Run([command, flag, temp.Path, .. rest]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is a directory", result.Stderr);
        Assert.DoesNotContain("denied", result.All);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public void Synth_teacher_rows_below_zero_is_a_usage_error_and_writes_nothing()
    {
        using var scratch = new Scratch();
        var result = Robegen.Run("synth", "--rows", "10", "--teacher-rows", "-1", "--out", scratch.File("x.tsv"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--teacher-rows must be an integer >= 0", result.Stderr);
        Assert.DoesNotContain("   at ", result.All);
        Assert.False(File.Exists(scratch.File("x.tsv")));
    }

    [Fact]
    public void Bench_timed_steps_below_one_is_a_usage_error_naming_the_flag()
    {
        var result = Robegen.Run("bench", "--device", "cpu", "--timed-steps", "0");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--timed-steps must be", result.Stderr);
    }

    [Fact]
    public void Bench_refuses_a_csv_path_it_cannot_write_before_it_measures_anything()
    {
        using var scratch = new Scratch();
        var result = Robegen.Run("bench", "--device", "cpu", "--models", "kaggle", "--batches", "64", "--storages", "robe", "--timed-steps", "1",
            "--csv", scratch.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--csv", result.Stderr);
        Assert.Contains("is a directory", result.Stderr);
        Assert.DoesNotContain("CriteoKaggle", result.Stdout); // refused before the first row was measured
    }

    [Theory]
    [InlineData("--precision", "bf16", "--precision bf16 runs on CUDA only")]
    [InlineData("--serving", "--synthetic", "give one of them")]
    public void Bench_flags_that_cannot_go_together_are_a_usage_error(string flag, string other, string message)
    {
        var result = Robegen.Run("bench", "--device", "cpu", flag, other);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    /// <summary>(A Full storage that takes the rows, one row more per table than the cardinality, is checked without
    /// allocating it in BenchStorageTests: on the CPU the Kaggle model's 2 GB of Full tables take too long for this tier.)</summary>
    [Fact]
    public void Bench_synthetic_times_the_rows_train_reads_and_skips_a_full_storage_too_small_for_their_indices()
    {
        using var scratch = new Scratch();
        string csv = scratch.File("bench.csv");
        var bench = Robegen.Run("bench", "--device", "cpu", "--models", "kaggle", "--batches", "64", "--storages", "robe", "--timed-steps", "1",
            "--synthetic", "--teacher", "structured", "--csv", csv);
        Assert.True(bench.ExitCode == 0, bench.All);
        Assert.Contains("the first 3 batches of synthetic rows 0.. (seed 1, Zipf 1.1, structured teacher", bench.Stdout);
        string[] rows = File.ReadAllLines(csv);
        Assert.Equal(2, rows.Length);
        Assert.Contains(",ROBE Z=4,64,", rows[1]);

        // The MLPerf cardinalities give indices past the Kaggle model's Full tables: that storage is skipped, named.
        var skipped = Robegen.Run("bench", "--device", "cpu", "--models", "kaggle", "--batches", "64", "--storages", "full", "--timed-steps", "1",
            "--synthetic", "--cardinalities", "mlperf");
        Assert.True(skipped.ExitCode == 0, skipped.All);
        Assert.Contains("note: --synthetic: Full skipped: Full table C1 has 1,461 rows", skipped.Stdout);
    }

    [Fact]
    public void Every_command_has_help()
    {
        foreach (string command in new[] { "train", "eval", "predict", "inspect" })
        {
            var help = Robegen.Run(command, "--help");
            Assert.True(help.ExitCode == 0, help.All);
            Assert.Contains("--", help.Stdout);
        }
    }
}
