namespace RobeGen.Cli.Tests;

/// <summary>Bad option values are refused while parsing, before any work: exit 2, one line in the flag's words.</summary>
public sealed class OptionValidationTests
{
    [Theory]
    [InlineData("--lr", "NaN")]
    [InlineData("--lr", "-1")]
    [InlineData("--lr", "Infinity")]
    [InlineData("--lr", "0")]
    [InlineData("--checkpoint-every", "-1")]
    [InlineData("--checkpoint-minutes", "NaN")]
    [InlineData("--max-steps", "-1")]
    [InlineData("--eval-every", "-1")]
    [InlineData("--target-auc", "NaN")]
    [InlineData("--target-auc", "2")]
    [InlineData("--holdout", "1.5")]
    [InlineData("--epochs", "0")]
    [InlineData("--keep-checkpoints", "0")]
    [InlineData("--compression", "-3")]
    [InlineData("--slots", "-1")]
    [InlineData("--block-size", "0")]
    [InlineData("--batch-size", "100000000")]
    [InlineData("--batch-size", "0")]
    [InlineData("--threads", "100000")]
    [InlineData("--threads", "-2")]
    [InlineData("--lr", "abc")]
    [InlineData("--storage", "sideways")]
    [InlineData("--list-separator", "ab")]
    [InlineData("--list-separator", "\"")]
    public void Train_refuses_a_bad_value_in_one_line_naming_the_flag(string flag, string value)
    {
        // --max-steps 1 keeps the run short should the value be taken (as it was before parse-time checks).
        var run = Robegen.Run(flag == "--max-steps" ? ["train", flag, value] : ["train", flag, value, "--max-steps", "1"]);
        AssertUsageError(run, flag, value);
    }

    [Theory]
    [InlineData("eval", "--batch-size", "0")]
    [InlineData("predict", "--threads", "100000")]
    [InlineData("eval", "--list-separator", "||")]
    [InlineData("predict", "--list-separator", "")]
    public void Eval_and_predict_check_the_shared_options_too(string command, string flag, string value)
    {
        string[] rest = command == "predict" ? ["--out", "p.txt"] : [];
        var run = Robegen.Run([command, "--checkpoint", "none.rgck", "--data", "none.tsv", flag, value, .. rest]);
        AssertUsageError(run, flag, value);
    }

    private static void AssertUsageError(Robegen.Result run, string flag, string value)
    {
        Assert.True(run.ExitCode == 2, run.All);
        string line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"robegen: error: {flag} must be", line);
        Assert.Contains(value, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("System.", line);
        Assert.DoesNotContain("Parameter", line);
        Assert.DoesNotContain("Actual value", line);
        Assert.DoesNotContain("step", run.Stdout); // nothing trained
    }
}
