using RobeGen.Checkpoints;
using RobeGen.Tests.Data;

namespace RobeGen.Tests.Checkpoints;

/// <summary>Keeping the last K checkpoints, resuming from the newest intact one, and cleaning up after a killed writer.</summary>
public sealed class CheckpointSeriesTests
{
    private static Checkpoint At(long step) => new()
    {
        DeclarationName = "Tests.Series",
        Fingerprint = "5e51e5",
        Step = step,
        State = new Backends.ModelState(),
    };

    private static void SaveSteps(CheckpointSeries series, params long[] steps)
    {
        foreach (long step in steps) series.Save(step, path => CheckpointFile.Save(path, At(step)));
    }

    [Fact]
    public void Only_the_newest_k_periodic_checkpoints_stay_and_publish_copies_the_newest_to_the_final_path()
    {
        using var temp = new TempFolder();
        var series = new CheckpointSeries(temp.File("model.rgck"), keep: 3);
        SaveSteps(series, 2, 4, 6, 8, 10);
        Assert.Equal(["model.step-000000000006.rgck", "model.step-000000000008.rgck", "model.step-000000000010.rgck"],
            Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order());
        Assert.False(File.Exists(series.Path));
        series.Publish();
        Assert.Equal(10, CheckpointFile.Load(series.Path).Step);
        Assert.Equal(4, series.Files().Count);
        Assert.Empty(Directory.GetFiles(temp.Path, ".*"));
    }

    [Fact]
    public void Keeping_one_overwrites_the_final_path()
    {
        using var temp = new TempFolder();
        var series = new CheckpointSeries(temp.File("model.rgck"));
        SaveSteps(series, 1, 2, 3);
        Assert.Equal(["model.rgck"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
        Assert.Equal(3, CheckpointFile.Load(series.Path).Step);
    }

    [Fact]
    public void Resume_takes_the_newest_intact_checkpoint_and_sets_damaged_newer_ones_aside()
    {
        using var temp = new TempFolder();
        var series = new CheckpointSeries(temp.File("model.rgck"), keep: 4);
        SaveSteps(series, 5, 6, 7, 8);
        // Step 8 truncated, step 7 with a flipped byte: resume must take step 6.
        string eight = series.PathFor(8), seven = series.PathFor(7);
        File.WriteAllBytes(eight, File.ReadAllBytes(eight)[..^3]);
        byte[] bytes = File.ReadAllBytes(seven);
        bytes[bytes.Length / 2] ^= 4;
        File.WriteAllBytes(seven, bytes);

        Checkpoint loaded = new CheckpointSeries(series.Path).LoadNewest(CheckpointFile.Load, out IReadOnlyList<string> setAside);
        Assert.Equal(6, loaded.Step);
        Assert.Equal(2, setAside.Count);
        Assert.Contains("truncated", setAside[0]);
        Assert.Contains("checksum", setAside[1]);
        Assert.True(File.Exists(eight + ".damaged"));
        Assert.True(File.Exists(seven + ".damaged"));
        Assert.Equal([6L, 5], series.Files().Select(f => CheckpointFile.Load(f).Step));

        // The final path counts as a candidate by the step it records.
        CheckpointFile.Save(series.Path, At(100));
        Assert.Equal(100, series.LoadNewest(CheckpointFile.Load, out _).Step);
    }

    [Fact]
    public void An_intact_checkpoint_of_another_model_is_an_error_not_skipped()
    {
        using var temp = new TempFolder();
        var series = new CheckpointSeries(temp.File("model.rgck"), keep: 2);
        SaveSteps(series, 1, 2);
        Assert.Throws<InvalidOperationException>(() => series.LoadNewest<int>(_ => throw new InvalidOperationException("other model"), out _));
        Assert.Equal(2, series.Files().Count);
    }

    [Fact]
    public void With_nothing_intact_the_error_names_every_file_and_why()
    {
        using var temp = new TempFolder();
        var series = new CheckpointSeries(temp.File("model.rgck"), keep: 2);
        var none = Assert.Throws<CheckpointException>(() => series.LoadNewest(CheckpointFile.Load, out _));
        Assert.Contains("no checkpoint of this run exists", none.Message);
        SaveSteps(series, 1);
        File.WriteAllText(series.PathFor(1), "garbage");
        var e = Assert.Throws<CheckpointException>(() => series.LoadNewest(CheckpointFile.Load, out _));
        Assert.Contains("model.step-000000000001.rgck", e.Message);
        Assert.Contains("no intact checkpoint", e.Message);
    }

    [Fact]
    public void Temporary_files_of_a_killed_save_are_never_candidates_and_are_removed_at_the_next_start()
    {
        using var temp = new TempFolder();
        var series = new CheckpointSeries(temp.File("model.rgck"), keep: 2);
        SaveSteps(series, 1);
        // What a writer killed mid-save leaves: a hidden partial file per target.
        File.WriteAllBytes(temp.File(".model.step-000000000002.rgck.0123abcd.rgck.tmp"), File.ReadAllBytes(series.PathFor(1))[..40]);
        File.WriteAllBytes(temp.File(".model.rgck.4567ef.rgck.tmp"), [1, 2, 3]);
        File.WriteAllBytes(temp.File(".other.rgck.89ab.rgck.tmp"), [1]); // another run's: not ours to remove
        Assert.Equal([series.PathFor(1)], series.Files());
        Assert.Equal(2, series.RemoveStaleTemporaryFiles());
        Assert.Equal([".other.rgck.89ab.rgck.tmp", "model.step-000000000001.rgck"], Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Peek_reads_the_step_without_the_checksum_and_gives_null_for_a_non_checkpoint()
    {
        using var temp = new TempFolder();
        CheckpointFile.Save(temp.File("a.rgck"), At(1234));
        Assert.Equal(1234, CheckpointFile.PeekStep(temp.File("a.rgck")));
        File.WriteAllText(temp.File("b.rgck"), "no");
        Assert.Null(CheckpointFile.PeekStep(temp.File("b.rgck")));
        Assert.Null(CheckpointFile.PeekStep(temp.File("missing.rgck")));
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_at_the_named_path_is_refused_and_left_as_it_is()
    {
        using var temp = new TempFolder();
        string path = temp.File("clicks.tsv");
        File.WriteAllText(path, "0\t1\t2\n");
        var e = Assert.Throws<CheckpointException>(() => new CheckpointSeries(path).LoadNewest(CheckpointFile.Load, out _));
        Assert.Contains("left as it is", e.Message);
        Assert.Equal("0\t1\t2\n", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".damaged"));
    }
}
