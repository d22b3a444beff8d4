using System.Diagnostics;

namespace RobeGen.Cli.Tests;

/// <summary>Damaged or unusual inputs end in one line naming the file (exit 1), or are handled as --skip-bad-rows promises.</summary>
public sealed class DamagedInputTests
{
    private static string Gzip(Scratch scratch, string name, Func<byte[], byte[]> damage)
    {
        string path = scratch.File(name);
        File.WriteAllBytes(path, damage(File.ReadAllBytes(CliData.Sample)));
        return path;
    }

    [Fact]
    public void A_truncated_or_tiny_gzip_is_one_line_under_holdout_and_in_predicts_layout_detection()
    {
        using var scratch = new Scratch();
        string model = CliData.Model(scratch, CliData.Rows(scratch));
        foreach (int length in new[] { 10, 5000 })
        {
            string cut = Gzip(scratch, $"cut{length}.gz", b => b[..length]);
            CliData.AssertOneLineError(Robegen.Run("train", "--data", cut, "--holdout", "0.2", "--max-steps", "2"), 1, cut, "truncated");
            CliData.AssertOneLineError(Robegen.Run("predict", "--checkpoint", model, "--data", cut, "--out", scratch.File("p.txt")), 1, cut);
        }
    }

    [Fact]
    public void A_flipped_crc_is_reported_as_damage_not_as_an_unsupported_method()
    {
        using var scratch = new Scratch();
        string flipped = Gzip(scratch, "crc.gz", b =>
        {
            b[^6] ^= 1; // inside the trailer's CRC-32
            return b;
        });
        var run = Robegen.Run("train", "--data", flipped, "--max-steps", "1000");
        CliData.AssertOneLineError(run, 1, flipped, "CRC-32");
        Assert.DoesNotContain("unsupported compression method", run.Stderr);
    }

    [Fact]
    public void A_fifo_is_refused_in_one_line_saying_the_input_must_be_a_seekable_file()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var scratch = new Scratch();
        string data = CliData.Rows(scratch), fifo = scratch.File("fifo");
        using (var make = Process.Start("mkfifo", [fifo])) make.WaitForExit();
        using var writer = Process.Start("sh", ["-c", $"cat '{data}' > '{fifo}'"]); // the reader's open waits for a writer
        var run = Robegen.Run("train", "--data", fifo, "--max-steps", "2");
        CliData.AssertOneLineError(run, 1, fifo, "seekable file");
        if (!writer.WaitForExit(5000)) writer.Kill();
    }

    [Fact]
    public void Skip_bad_rows_rejects_an_over_long_line_and_counts_each_bad_row_once_over_two_epochs()
    {
        using var scratch = new Scratch();
        string[] good = File.ReadAllLines(CliData.Rows(scratch, 200));
        string longLine = "0\t" + new string('7', 70_000);
        string data = scratch.File("long.tsv"), rejects = scratch.File("rejects.tsv");
        File.WriteAllLines(data, [.. good[..100], longLine, .. good[100..]]);
        var run = Robegen.Run("train", "--data", data, "--skip-bad-rows", "--rejects", rejects, "--epochs", "2");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("rejected rows  1 ", run.Stdout);
        string rejected = Assert.Single(File.ReadAllLines(rejects));
        Assert.StartsWith(rejected, longLine); // the line's first 64 KiB: no valid line is longer
        Assert.Equal(1 << 16, rejected.Length);
    }
}
