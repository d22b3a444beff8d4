using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RobeGen.Onnx.Tests;

namespace RobeGen.Cli.Tests;

/// <summary><c>robegen export</c> end to end: the ONNX file it writes, run by ONNX Runtime, gives <c>robegen predict</c>'s probabilities.</summary>
public sealed class ExportCommandTests
{
    [Fact]
    public void The_exported_model_in_onnx_runtime_gives_the_predictions_of_robegen_predict()
    {
        using var scratch = new Scratch();
        string checkpoint = scratch.File("m.rgck"), onnx = scratch.File("m.onnx"), rows = scratch.File("rows.tsv"), predictions = scratch.File("p.txt");
        Assert.Equal(0, Robegen.Run("train", "--max-steps", "20", "--save", checkpoint).ExitCode);
        Robegen.Result export = Robegen.Run("export", "--checkpoint", checkpoint, "--out", onnx);
        Assert.True(export.ExitCode == 0, export.All);
        Assert.Contains("probability: float[batch]", export.Stdout);

        CriteoRows sample = CriteoRows.Sample(200);
        File.WriteAllLines(rows, CriteoRows.SampleLines(200));
        Assert.Equal(0, Robegen.Run("predict", "--checkpoint", checkpoint, "--data", rows, "--out", predictions).ExitCode);
        float[] expected = File.ReadAllLines(predictions).Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();

        using var session = new InferenceSession(onnx);
        var dense = new DenseTensor<float>([sample.Count, 13]);
        for (int b = 0; b < sample.Count; b++)
            for (int i = 0; i < 13; i++) dense[b, i] = sample.Dense[b * 13 + i];
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("dense", dense) };
        for (int c = 0; c < 26; c++)
        {
            var ids = new DenseTensor<long>([sample.Count]);
            for (int b = 0; b < sample.Count; b++) ids[b] = (long)sample.Ids[b * 26 + c];
            inputs.Add(NamedOnnxValue.CreateFromTensor($"C{c + 1}", ids));
        }
        using var results = session.Run(inputs);
        float[] actual = results.Single().AsTensor<float>().ToArray();

        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"row {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void Export_refuses_an_output_that_is_the_checkpoint_a_folder_or_in_a_missing_folder_in_one_line()
    {
        using var scratch = new Scratch();
        string checkpoint = scratch.File("m.rgck");
        Assert.Equal(0, Robegen.Run("train", "--max-steps", "2", "--save", checkpoint).ExitCode);
        byte[] before = File.ReadAllBytes(checkpoint);

        Robegen.Result same = Robegen.Run("export", "--checkpoint", checkpoint, "--out", checkpoint);
        Assert.Equal(2, same.ExitCode);
        Assert.Contains("is the checkpoint itself", same.Stderr);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));

        Robegen.Result folder = Robegen.Run("export", "--checkpoint", checkpoint, "--out", scratch.Path);
        Assert.Equal(2, folder.ExitCode);
        Assert.Contains("is a directory", folder.Stderr);

        string missing = Path.Combine(scratch.Path, "no", "such", "m.onnx");
        Robegen.Result absent = Robegen.Run("export", "--checkpoint", checkpoint, "--out", missing);
        Assert.Equal(1, absent.ExitCode);
        Assert.Single(absent.Stderr.TrimEnd().Split('\n'));
        Assert.Contains("does not exist", absent.Stderr);
        Assert.Equal(["m.rgck", "m.curve.png"], Directory.GetFiles(scratch.Path).Select(f => Path.GetFileName(f)).OrderDescending().ToArray());

        if (!OperatingSystem.IsLinux()) return;
        // A FIFO (as a device would) is refused, not replaced by a renamed file: as root a rename would replace the node.
        string fifo = scratch.File("fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        Robegen.Result special = Robegen.Run("export", "--checkpoint", checkpoint, "--out", fifo);
        Assert.Equal(2, special.ExitCode);
        Assert.Contains("device or pipe", special.Stderr);
        var stat = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%F", fifo]) { RedirectStandardOutput = true };
        using (var kind = System.Diagnostics.Process.Start(stat)!)
            Assert.Equal("fifo", kind.StandardOutput.ReadToEnd().Trim());

        // A link is written through: the link stays, the file it names gets the model.
        string real = scratch.File("real.onnx"), link = scratch.File("link.onnx");
        File.WriteAllText(real, "old");
        File.CreateSymbolicLink(link, real);
        Assert.Equal(0, Robegen.Run("export", "--checkpoint", checkpoint, "--out", link).ExitCode);
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.True(new FileInfo(real).Length > 1000);
    }
}
