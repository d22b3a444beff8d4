namespace RobeGen.Cli.Tests;

/// <summary>What a new user sees: the tool's name in usage, storages that work without extra flags, honest sizes and epochs.</summary>
public sealed class UsabilityTests
{
    [Fact]
    public void Usage_names_the_tool_robegen()
    {
        var help = Robegen.Run("train", "--help");
        Assert.True(help.ExitCode == 0, help.All);
        Assert.Contains("robegen train [options]", help.Stdout);
        Assert.DoesNotContain("RobeGen.Cli", help.Stdout);
    }

    [Theory]
    [InlineData("hashed")]
    [InlineData("quotientremainder")]
    public void Hashed_and_quotient_remainder_storage_work_without_compression_and_say_what_they_chose(string storage)
    {
        using var scratch = new Scratch();
        var run = Robegen.Run("train", "--data", CliData.Rows(scratch), "--storage", storage, "--max-steps", "2");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains($"--storage {storage} without --compression: compressing", run.Stdout);
        Assert.Matches(@"compression    [\d,.]+x against full tables", run.Stdout);
    }

    [Fact]
    public void Full_storage_reports_no_compression_ratio()
    {
        using var scratch = new Scratch();
        var run = Robegen.Run("train", "--data", CliData.Rows(scratch), "--storage", "full", "--max-steps", "2");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("compression    none: Full tables", run.Stdout);
        Assert.DoesNotContain("x against full tables", run.Stdout);
    }

    [Fact]
    public void Inspect_after_a_one_epoch_run_says_one_pass_was_done_not_epoch_two()
    {
        using var scratch = new Scratch();
        string model = scratch.File("m.rgck");
        Assert.Equal(0, Robegen.Run("train", "--data", CliData.Rows(scratch), "--epochs", "1", "--save", model).ExitCode);
        var inspect = Robegen.Run("inspect", "--checkpoint", model);
        Assert.True(inspect.ExitCode == 0, inspect.All);
        Assert.Contains("1 full pass(es) over the data done", inspect.Stdout);
        Assert.DoesNotContain("epoch 2", inspect.Stdout);
    }
}
