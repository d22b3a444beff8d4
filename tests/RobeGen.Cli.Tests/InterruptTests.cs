using System.Diagnostics;
using RobeGen.Checkpoints;

namespace RobeGen.Cli.Tests;

/// <summary>
/// SIGINT and SIGTERM stop a real robegen process after the current step: it saves to --save atomically, says so in
/// one line and exits 128 + the signal (130, 143); the checkpoint loads and holds the step it names.
/// </summary>
public sealed class InterruptTests
{
    [Theory]
    [InlineData("INT", 130, "SIGINT")]
    [InlineData("TERM", 143, "SIGTERM")]
    public async Task A_signal_stops_after_the_current_step_saves_and_exits_with_128_plus_the_signal(string signal, int exitCode, string name)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        // A job a shell started in the background has SIGINT ignored, and so have its children: no process can catch it
        // then (the runtime keeps an inherited SIG_IGN). SIGTERM is still tested there.
        if (signal == "INT" && SignalIgnoredHere(2)) return;
        using var scratch = new Scratch();
        string checkpoint = scratch.File("model.rgck");
        // Long enough (1,000 epochs of the sample) that only the signal ends it.
        // A periodic checkpoint every 5 steps says when training has taken steps (a loaded machine may take seconds to start).
        using var process = Process.Start(Robegen.StartInfo("train", "--epochs", "1000", "--batch-size", "16", "--threads", "1", "--save", checkpoint,
            "--checkpoint-every", "5"))!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        var stdout = new List<string>();
        for (string? line; (line = process.StandardOutput.ReadLine()) is not null;)
        {
            stdout.Add(line);
            if (line.StartsWith("checkpoint @ step", StringComparison.Ordinal)) break;
        }
        using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        Task<string> restOfOutput = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true); // never leave a 1,000-epoch run behind
            Assert.Fail("robegen did not stop after the signal");
        }
        string rest = await restOfOutput;

        string error = await stderr;
        Assert.True(process.ExitCode == exitCode, $"exit {process.ExitCode}\n{string.Join('\n', stdout)}\n{rest}\n{error}");
        string line1 = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"interrupted by {name}", line1);
        Assert.Contains("saved to " + checkpoint, line1);
        Checkpoint saved = CheckpointFile.Load(checkpoint);
        Assert.True(saved.Step > 0);
        Assert.Contains($"after step {saved.Step:N0}", line1);
        Assert.Empty(Directory.GetFiles(scratch.Path, ".*")); // no temporary file left
    }

    /// <summary>Whether this process ignores signal <paramref name="number"/> (Linux: the SigIgn mask of /proc/self/status).</summary>
    private static bool SignalIgnoredHere(int number)
    {
        if (!OperatingSystem.IsLinux()) return false;
        string? mask = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))?[7..].Trim();
        return mask is not null && (Convert.ToUInt64(mask, 16) & (1UL << (number - 1))) != 0;
    }

    [Theory]
    [InlineData("--max-steps", "0")]
    [InlineData("--skip-bad-rows", "every row bad")]
    public void When_no_step_runs_no_checkpoint_is_claimed(string flag, string value)
    {
        using var scratch = new Scratch();
        string checkpoint = scratch.File("model.rgck");
        string data = scratch.File("data.tsv");
        File.WriteAllLines(data, value == "every row bad" ? ["bad", "rows", "only"] : File.ReadAllLines(CliData.Rows(scratch, 100, "rows.tsv")));
        string[] options = flag == "--max-steps" ? [flag, value] : [flag, "--rejects", scratch.File("rejects.tsv")];
        var run = Robegen.Run(["train", "--data", data, "--save", checkpoint, .. options]);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.DoesNotContain($"checkpoint     {checkpoint}", run.Stdout);
        Assert.Contains("none written: no training step ran", run.Stdout);
        Assert.False(File.Exists(checkpoint));
    }
}
