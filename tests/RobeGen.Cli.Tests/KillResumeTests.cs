using System.Diagnostics;
using System.IO.Compression;
using RobeGen.Checkpoints;
using Xunit.Abstractions;

namespace RobeGen.Cli.Tests;

/// <summary>
/// Crash safety of <c>robegen train</c>: a real training process is killed (SIGKILL) at random moments and resumed
/// from its checkpoints until it finishes; the final model must be bit-identical to a run that was never killed, and
/// after every kill each checkpoint file on disk must load (no torn file), with only hidden temporary files (that no
/// loader takes) left by a save the kill interrupted. CI: at least 20 kills; ROBEGEN_SOAK=1: 200 (or ROBEGEN_SOAK_KILLS).
/// </summary>
[Trait("Tier", "Slow")] // 20 rounds of SIGKILL and resume
public sealed class KillResumeTests(ITestOutputHelper output)
{
    private const int RowsOfData = 320;

    [Fact]
    public void Training_killed_at_random_moments_and_resumed_ends_bit_identical_to_an_uninterrupted_run()
    {
        int wantedKills = Environment.GetEnvironmentVariable("ROBEGEN_SOAK") == "1"
            ? int.Parse(Environment.GetEnvironmentVariable("ROBEGEN_SOAK_KILLS") ?? "200") : 20;
        using var scratch = new Scratch();
        string data = scratch.File("d.tsv");
        File.WriteAllLines(data, FirstSampleLines(RowsOfData));

        // The uninterrupted reference (also tells how long a whole run takes here).
        string referenceFolder = Directory.CreateDirectory(scratch.File("reference")).FullName;
        var clock = Stopwatch.StartNew();
        var reference = Robegen.Run(TrainArguments(data, Path.Combine(referenceFolder, "m.rgck"), resume: false));
        Assert.True(reference.ExitCode == 0, reference.All);
        TimeSpan wholeRun = clock.Elapsed;
        byte[] expected = File.ReadAllBytes(Path.Combine(referenceFolder, "m.rgck"));

        var random = new Random(Environment.GetEnvironmentVariable("ROBEGEN_KILL_SEED") is { } s ? int.Parse(s) : 20251126);
        int kills = 0, rounds = 0, filesVerified = 0, interruptedSaves = 0, resumes = 0;
        while (kills < wantedKills)
        {
            // One round: a fresh run, killed and resumed until a run finishes; then the next round starts over.
            string folder = Directory.CreateDirectory(scratch.File($"round{rounds++}")).FullName;
            string checkpoint = Path.Combine(folder, "m.rgck");
            var series = new CheckpointSeries(checkpoint);
            for (int attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 200, "a round made no progress in 200 attempts");
                bool resume = series.Files().Count > 0;
                resumes += resume ? 1 : 0;
                // Up to 80% of a whole run: a fresh run is nearly always killed, a resumed one (less left to do) often
                // finishes, which ends the round.
                TimeSpan killAfter = kills < wantedKills ? wholeRun * (0.8 * random.NextDouble()) : TimeSpan.MaxValue;
                (bool killed, Robegen.Result? finished) = RunAndMaybeKill(TrainArguments(data, checkpoint, resume), killAfter);
                if (!killed)
                {
                    Assert.True(finished!.ExitCode == 0, finished.All);
                    break;
                }
                kills++;
                // No torn checkpoint: every file a resume would consider loads in full.
                foreach (string file in series.Files())
                {
                    CheckpointFile.Load(file);
                    filesVerified++;
                }
                interruptedSaves += Directory.GetFiles(folder, ".*.rgck.tmp").Length;
            }

            byte[] actual = File.ReadAllBytes(checkpoint);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"round {rounds}: the final checkpoint differs from the uninterrupted run's");
            Assert.Empty(Directory.GetFiles(folder, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
            Assert.Empty(Directory.GetFiles(folder, "*.damaged"));
        }

        output.WriteLine($"kills survived {kills}, rounds {rounds} (each bit-identical to the uninterrupted run of {wholeRun.TotalSeconds:F1} s), " +
                         $"resumes {resumes}, checkpoint files verified after kills {filesVerified}, kills that interrupted a save {interruptedSaves}");
    }

    private static string[] TrainArguments(string data, string checkpoint, bool resume)
    {
        string[] run =
        [
            "train", "--data", data, "--batch-size", "16", "--epochs", "2", "--threads", "1", "--seed", "3", "--lr", "0.05",
            "--save", checkpoint, "--checkpoint-every", "1", "--keep-checkpoints", "3",
        ];
        return resume ? [.. run, "--resume", checkpoint] : run;
    }

    /// <summary>Runs robegen and SIGKILLs it after <paramref name="killAfter"/> unless it ends first.</summary>
    private static (bool Killed, Robegen.Result? Finished) RunAndMaybeKill(string[] arguments, TimeSpan killAfter)
    {
        var info = Robegen.StartInfo(arguments);
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        TimeSpan wait = killAfter < TimeSpan.FromMinutes(5) ? killAfter : TimeSpan.FromMinutes(5);
        if (process.WaitForExit(wait))
            return (false, new Robegen.Result(process.ExitCode, stdout.Result, stderr.Result));
        if (killAfter >= TimeSpan.FromMinutes(5)) throw new TimeoutException("robegen train did not finish in 5 minutes.");
        process.Kill(entireProcessTree: true); // SIGKILL on Linux and macOS: no handler, no flush, no finally
        process.WaitForExit();
        return (true, null);
    }

    private static IEnumerable<string> FirstSampleLines(int count)
    {
        using var file = File.OpenRead(Robegen.RepositoryFile("samples/data/criteo_1tb_day0_head10k.tsv.gz"));
        using var reader = new StreamReader(new GZipStream(file, CompressionMode.Decompress));
        for (int i = 0; i < count && reader.ReadLine() is { } line; i++) yield return line;
    }
}
