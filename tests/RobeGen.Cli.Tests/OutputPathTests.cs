namespace RobeGen.Cli.Tests;

/// <summary>
/// Output paths (--save, --rejects, --out, --resume) are checked before any work: an input, a directory, a link loop or an
/// unwritable folder is refused in one line; predict writes through links and devices and never leaves or takes a temporary file.
/// </summary>
public sealed class OutputPathTests
{
    [Theory]
    [InlineData("--save")]
    [InlineData("--rejects")]
    public void Train_refuses_an_output_that_is_its_data_file_and_leaves_the_file_intact(string flag)
    {
        using var scratch = new Scratch();
        string data = CliData.Rows(scratch);
        byte[] before = File.ReadAllBytes(data);
        var run = Robegen.Run("train", "--data", data, "--max-steps", "2", "--skip-bad-rows", flag, data);
        CliData.AssertOneLineError(run, 2, flag, "input");
        Assert.Equal(before, File.ReadAllBytes(data));
    }

    [Fact]
    public void Predict_refuses_an_output_that_is_an_input_through_a_link()
    {
        using var scratch = new Scratch();
        string data = CliData.Rows(scratch);
        string model = CliData.Model(scratch, data);
        string link = scratch.File("link.tsv");
        File.CreateSymbolicLink(link, data);
        byte[] before = File.ReadAllBytes(data);
        CliData.AssertOneLineError(Robegen.Run("predict", "--checkpoint", model, "--data", data, "--out", link), 2, "--out", "input");
        CliData.AssertOneLineError(Robegen.Run("predict", "--checkpoint", model, "--data", data, "--out", model), 2, "--out", "--checkpoint");
        Assert.Equal(before, File.ReadAllBytes(data));
    }

    [Fact]
    public void Resume_on_a_file_that_is_not_a_checkpoint_leaves_it_where_it_is()
    {
        using var scratch = new Scratch();
        string data = CliData.Rows(scratch);
        string other = CliData.Rows(scratch, 50, "other.tsv");
        var run = Robegen.Run("train", "--data", data, "--max-steps", "2", "--resume", other);
        CliData.AssertOneLineError(run, 1, other, "not a RobeGen checkpoint");
        Assert.True(File.Exists(other));
        Assert.False(File.Exists(other + ".damaged"));
        CliData.AssertOneLineError(Robegen.Run("train", "--data", data, "--resume", data), 2, "--resume", "input");
    }

    [Fact]
    public void A_directory_a_link_loop_or_an_unwritable_folder_is_refused_before_training()
    {
        using var scratch = new Scratch();
        string data = CliData.Rows(scratch);
        Directory.CreateDirectory(scratch.File("folder"));
        File.CreateSymbolicLink(scratch.File("loop1"), scratch.File("loop2"));
        File.CreateSymbolicLink(scratch.File("loop2"), scratch.File("loop1"));
        // The device through a link: should the check ever regress, a rename replaces the link, not /dev/null (as root it could).
        File.CreateSymbolicLink(scratch.File("null"), "/dev/null");
        foreach ((string save, int code) in new[] { (scratch.File("folder"), 2), (scratch.File("loop1"), 1), ("/sys/robegen-test.rgck", 1), (scratch.File("null"), 2) })
        {
            var run = Robegen.Run("train", "--data", data, "--max-steps", "2", "--save", save);
            CliData.AssertOneLineError(run, code, "--save", save);
            Assert.DoesNotContain("model:", run.Stdout); // refused before the model was built
        }
    }

    [Fact]
    public void Predict_writes_through_a_link_and_to_a_device_and_leaves_no_temporary_file_and_keeps_the_users_own()
    {
        using var scratch = new Scratch();
        string data = CliData.Rows(scratch);
        string model = CliData.Model(scratch, data);
        string real = scratch.File("real.txt"), link = scratch.File("link.txt"), devnull = scratch.File("null.txt");
        File.CreateSymbolicLink(link, real);
        File.CreateSymbolicLink(devnull, "/dev/null");
        File.WriteAllText(link + ".tmp", "the user's own file");

        Assert.Equal(0, Robegen.Run("predict", "--checkpoint", model, "--data", data, "--out", link).ExitCode);
        Assert.Equal(real, new FileInfo(link).LinkTarget);
        Assert.Equal(300, File.ReadAllLines(real).Length);
        Assert.Equal(0, Robegen.Run("predict", "--checkpoint", model, "--data", data, "--out", devnull).ExitCode);
        Assert.Equal("/dev/null", new FileInfo(devnull).LinkTarget);
        Assert.Equal("the user's own file", File.ReadAllText(link + ".tmp"));

        // An input that fails halfway leaves the old output and no temporary file.
        string bad = scratch.File("bad.tsv");
        File.WriteAllLines(bad, [.. File.ReadAllLines(data), "not a criteo line"]);
        CliData.AssertOneLineError(Robegen.Run("predict", "--checkpoint", model, "--data", bad, "--out", link, "--labeled", "true"), 1, bad);
        Assert.Equal(300, File.ReadAllLines(real).Length);
        Assert.Empty(Directory.GetFiles(scratch.Path, ".*"));
    }

    [Fact]
    public void A_full_disk_is_one_line_naming_the_flag()
    {
        using var scratch = new Scratch();
        string data = CliData.Rows(scratch);
        string model = CliData.Model(scratch, data);
        CliData.AssertOneLineError(Robegen.Run("predict", "--checkpoint", model, "--data", data, "--out", "/dev/full"), 1, "--out /dev/full", "No space");
    }
}
