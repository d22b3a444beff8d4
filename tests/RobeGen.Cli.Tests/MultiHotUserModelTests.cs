using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RobeGen.Data.Tabular;
using static RobeGen.Cli.Tests.ShopLogFiles;

namespace RobeGen.Cli.Tests;

/// <summary>
/// A user's multi-hot model through the whole CLI on the CPU: ShopModel (whose tags column is a Mean-pooled list) trained
/// on a CSV with a list column, evaluated, asked for predictions and exported; ONNX Runtime on the exported file, fed the
/// same rows with the tags as jagged values and lengths, gives robegen predict's probabilities.
/// </summary>
public sealed class MultiHotUserModelTests
{
    [Fact]
    public void A_multi_hot_user_model_trains_evaluates_predicts_and_exports_on_the_cpu()
    {
        using var scratch = new Scratch();
        string dll = ShopClicksDll(), train = scratch.File("train.csv"), test = scratch.File("test.csv"), fresh = scratch.File("new.csv");
        string model = scratch.File("shop.rgck"), predictions = scratch.File("p.txt"), onnx = scratch.File("shop.onnx");
        WriteCsv(train, Rows(3000, seed: 4));
        WriteCsv(test, Rows(1000, seed: 5));
        Row[] rows = Rows(120, seed: 6);
        WriteCsv(fresh, rows, labeled: false);

        Robegen.Result trained = Robegen.Run("train", "--model-assembly", dll, "--model", "ShopModel", "--data", train, "--save", model,
            "--epochs", "1", "--batch-size", "256", "--lr", "0.05", "--device", "cpu", "--threads", "2");
        Assert.True(trained.ExitCode == 0, trained.All);

        Robegen.Result evaluated = Robegen.Run("eval", "--checkpoint", model, "--model-assembly", dll, "--data", test, "--device", "cpu", "--threads", "2");
        Assert.True(evaluated.ExitCode == 0, evaluated.All);
        Assert.EndsWith("rows=1000", evaluated.LastLine);

        Robegen.Result predicted = Robegen.Run("predict", "--checkpoint", model, "--model-assembly", dll, "--data", fresh, "--out", predictions, "--device", "cpu");
        Assert.True(predicted.ExitCode == 0, predicted.All);
        float[] expected = File.ReadAllLines(predictions).Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(rows.Length, expected.Length);

        Robegen.Result exported = Robegen.Run("export", "--checkpoint", model, "--model-assembly", dll, "--out", onnx);
        Assert.True(exported.ExitCode == 0, exported.All);
        Assert.Contains("Tags_values: int64[ids] + Tags_lengths: int64[batch] Mean-pooled bags", exported.Stdout);

        float[] actual = RunOnnx(onnx, rows);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"row {i} (tags {string.Join('|', rows[i].Tags)}): predict {expected[i]}, ONNX Runtime {actual[i]}");
    }

    /// <summary>The exported model on <paramref name="rows"/> as a server would feed it: raw dense values, each cell's id as the
    /// readers make it, and the tags jagged (every row's tag ids one after the other, and each row's count).</summary>
    private static float[] RunOnnx(string onnx, Row[] rows)
    {
        int n = rows.Length;
        var dense = new DenseTensor<float>([n, 3]);
        for (int r = 0; r < n; r++)
        {
            dense[r, 0] = (float)rows[r].Price;
            dense[r, 1] = rows[r].Age ?? float.NaN;
            dense[r, 2] = (float)rows[r].Score;
        }
        NamedOnnxValue Ids(string table, Func<Row, string> cell) =>
            NamedOnnxValue.CreateFromTensor(table, new DenseTensor<long>(rows.Select(r => (long)CategoricalIds.FromText(cell(r))).ToArray(), [n]));
        long[] tagIds = [.. rows.SelectMany(r => r.Tags).Select(tag => (long)CategoricalIds.FromText(tag))];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("dense", dense),
            Ids("User", r => r.User), Ids("Item", r => r.Item), Ids("Country", r => r.Country), Ids("Device", r => r.Device),
            NamedOnnxValue.CreateFromTensor("Tags_values", new DenseTensor<long>(tagIds, [tagIds.Length])),
            NamedOnnxValue.CreateFromTensor("Tags_lengths", new DenseTensor<long>(rows.Select(r => (long)r.Tags.Length).ToArray(), [n])),
        };
        using var session = new InferenceSession(onnx);
        using var results = session.Run(inputs);
        return results.Single().AsTensor<float>().ToArray();
    }
}
