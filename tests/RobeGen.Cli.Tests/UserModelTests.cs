using System.Globalization;
using static RobeGen.Cli.Tests.ShopLogFiles;

namespace RobeGen.Cli.Tests;

/// <summary>
/// A user's own model in the CLI: samples/ShopClicks' ShopModel (built before these tests) trained, evaluated, predicted
/// and inspected through --model-assembly on named columns in CSV and Parquet files, with no Criteo anywhere. Its tags
/// column is multi-hot (a list per row), so these runs are also a multi-hot model's, on the CPU.
/// </summary>
public sealed class UserModelTests
{
    private static void AssertOneLineError(Robegen.Result result, int exitCode, params string[] mentions)
    {
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}, expected {exitCode}:\n{result.All}");
        string[] lines = result.Stderr.Trim().Split('\n');
        Assert.True(lines.Length == 1, $"one line expected:\n{result.Stderr}");
        Assert.StartsWith("robegen: error: ", lines[0]);
        foreach (string mention in mentions) Assert.Contains(mention, lines[0]);
    }

    [Fact]
    public void OwnModelTrainsOnCsvEvaluatesOnParquetAndPredictsThroughTheCli()
    {
        using var scratch = new Scratch();
        string dll = ShopClicksDll(), train = scratch.File("train.csv"), test = scratch.File("test.parquet"), fresh = scratch.File("new.csv");
        string model = scratch.File("shop.rgck"), predictions = scratch.File("p.txt"), parquetPredictions = scratch.File("pq.txt");
        WriteCsv(train, Rows(6000, seed: 1));
        WriteParquet(test, Rows(2000, seed: 2));
        WriteCsv(fresh, Rows(50, seed: 3), labeled: false);

        Robegen.Result trained = Robegen.Run("train", "--model-assembly", dll, "--model", "ShopModel", "--data", train, "--eval-data", test,
            "--save", model, "--epochs", "2", "--batch-size", "256", "--lr", "0.05", "--threads", "2");
        Assert.True(trained.ExitCode == 0, trained.All);
        Assert.Contains("ShopClicks.ShopModel", trained.Stdout);

        Robegen.Result evaluated = Robegen.Run("eval", "--checkpoint", model, "--model-assembly", dll, "--data", test, "--threads", "2");
        Assert.True(evaluated.ExitCode == 0, evaluated.All);
        double auc = double.Parse(evaluated.LastLine.Split(' ')[0]["auc=".Length..], CultureInfo.InvariantCulture);
        Assert.True(auc > 0.65, $"AUC {auc} on the held-out Parquet file:\n{evaluated.All}");
        Assert.EndsWith("rows=2000", evaluated.LastLine);

        // Unlabeled CSV and labeled Parquet (its label ignored): one probability per row, in (0, 1).
        foreach ((string data, string output, int rows) in new[] { (fresh, predictions, 50), (test, parquetPredictions, 2000) })
        {
            Robegen.Result predicted = Robegen.Run("predict", "--checkpoint", model, "--model-assembly", dll, "--data", data, "--out", output);
            Assert.True(predicted.ExitCode == 0, predicted.All);
            float[] p = File.ReadAllLines(output).Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(rows, p.Length);
            Assert.All(p, x => Assert.InRange(x, 1e-6f, 1 - 1e-6f));
            Assert.True(p.Distinct().Count() > rows / 5, "predictions vary with the row");
        }

        Robegen.Result inspected = Robegen.Run("inspect", "--checkpoint", model, "--model-assembly", dll);
        Assert.True(inspected.ExitCode == 0, inspected.All);
        Assert.Contains("matches this build", inspected.Stdout);
        Assert.Contains("country", inspected.Stdout);

        Robegen.Result exported = Robegen.Run("export", "--checkpoint", model, "--model-assembly", dll, "--out", scratch.File("m.onnx"));
        Assert.True(exported.ExitCode == 0, exported.All);
        Assert.Contains("exported ShopClicks.ShopModel", exported.Stdout);

        // Without the assembly, each command says in one line that the model is not built in and how to point at it.
        AssertOneLineError(Robegen.Run("eval", "--checkpoint", model, "--data", test), 1, "ShopClicks.ShopModel", "not built in", "--model-assembly");
        AssertOneLineError(Robegen.Run("predict", "--checkpoint", model, "--data", fresh, "--out", predictions), 1, "not built in", "--model-assembly");
        AssertOneLineError(Robegen.Run("export", "--checkpoint", model, "--out", scratch.File("m.onnx")), 1, "not built in", "--model-assembly");
        Assert.Contains("--model-assembly", Robegen.Run("inspect", "--checkpoint", model).Stdout);
    }

    [Fact]
    public void WrongModelNameListsTheDeclaredModelsInOneLineAndNoNameTakesTheOnlyOne()
    {
        using var scratch = new Scratch();
        string train = scratch.File("train.csv");
        WriteCsv(train, Rows(100, seed: 1));
        AssertOneLineError(Robegen.Run("train", "--model-assembly", ShopClicksDll(), "--model", "ShopModle", "--data", train), 2, "ShopModle", "ShopModel");
        AssertOneLineError(Robegen.Run("train", "--model", "ShopModel", "--data", train), 2, "not a built-in model", "--model-assembly");

        // Without --model, the assembly's only model.
        Robegen.Result only = Robegen.Run("train", "--model-assembly", ShopClicksDll(), "--data", train, "--max-steps", "2", "--threads", "2");
        Assert.True(only.ExitCode == 0, only.All);
        Assert.Contains("model: ShopClicks.ShopModel", only.Stdout);
    }

    [Fact]
    public void MissingColumnIsOneLineNamingFileAndColumn()
    {
        using var scratch = new Scratch();
        string train = scratch.File("no-country.csv");
        WriteCsv(train, Rows(100, seed: 1), withCountry: false);
        AssertOneLineError(Robegen.Run("train", "--model-assembly", ShopClicksDll(), "--model", "ShopClicks.ShopModel", "--data", train),
            1, "no-country.csv", "country");
    }
}
