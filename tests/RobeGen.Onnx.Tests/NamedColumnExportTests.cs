using System.Globalization;
using System.Text;
using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Devices;

namespace RobeGen.Onnx.Tests;

/// <summary>A user's model on named columns: one dense column per transform and text ids.</summary>
[Dlrm(Label = "clicked", EmbeddingDim = 8, BottomMlp = new[] { 8 }, TopMlp = new[] { 6 })]
[Dense("price", Transform = DenseTransform.Log1p)]
[Dense("age", Transform = DenseTransform.Standardize)]
[Dense("score")]
[RobeArray(Slots = 499, BlockSize = 4)]
public partial class ShopExport
{
    [Categorical("user_id")] public partial EmbeddingTable User { get; }
    [Categorical("device", Storage = EmbeddingStorage.Hashed, Rows = 7)] public partial EmbeddingTable Device { get; }
}

/// <summary>
/// The exported graph of a named-column model against the CPU backend fed by the CSV reader: the graph must apply each
/// column's declared transform (Log1p, Standardize with the training statistics, None; a missing value as 0) and take the
/// ids <see cref="CategoricalIds"/> makes of the cells.
/// </summary>
public sealed class NamedColumnExportTests : IDisposable
{
    private const int Rows = 300;
    private readonly string _folder = Directory.CreateTempSubdirectory("robegen-onnx-named-").FullName;
    private readonly List<string[]> _cells = [];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void OnnxRuntimeGivesTheBackendsPredictionsOnTheUsersColumns()
    {
        string csv = WriteCsv();
        ModelDeclaration declaration = ShopExport.Definition.Declaration;
        var data = TabularData.Open(declaration, csv);
        DenseStatistics statistics = data.ResolvedStatistics;
        using IDlrmBackend model = Dlrm.Create(ShopExport.Definition, new ModelOptions { Seed = 3, Device = DeviceKind.Cpu, MaxBatchSize = Rows });
        using IBatchCursor cursor = data.Open(DataPosition.Start, Rows);
        Assert.True(cursor.MoveNext());
        Batch batch = cursor.Current;
        Assert.Equal(Rows, batch.Count);
        // A few steps so the weights are not the initial ones.
        for (int step = 0; step < 5; step++) model.TrainStep(batch, 0.1f);
        var expected = new float[Rows];
        model.Predict(batch, expected);

        float[] actual = OnnxRuntimeSession.Predict(OnnxExporter.ToBytes(model, null, statistics), declaration, Rows,
            (b, i) => RawDense(_cells[b][1 + i]), (b, table) => CategoricalIds.FromText(_cells[b][4 + table]));

        for (int r = 0; r < Rows; r++)
            Assert.True(Math.Abs(expected[r] - actual[r]) <= 2e-5f, $"row {r}: backend {expected[r]}, ONNX Runtime {actual[r]}");
    }

    [Fact]
    public void A_standardized_model_without_its_statistics_is_refused()
    {
        using IDlrmBackend model = Dlrm.Create(ShopExport.Definition, new ModelOptions { Seed = 3, Device = DeviceKind.Cpu });
        var error = Assert.Throws<OnnxExportException>(() => OnnxExporter.ToBytes(model, null));
        Assert.Contains("age", error.Message);
        Assert.Contains("statistics", error.Message);
    }

    [Fact]
    public void Text_ids_follow_the_readers_rule()
    {
        Assert.Equal(12345UL, CategoricalIds.FromText("12345"));
        Assert.Equal(EmbeddingTable.MissingRawToken, CategoricalIds.FromText(""));
        Assert.True(CategoricalIds.FromText("u17") < 1UL << 32);
        Assert.NotEqual(CategoricalIds.FromText("u17"), CategoricalIds.FromText("u18"));
        Assert.Equal(CategoricalIds.FromText("4294967296"), CategoricalIds.FromInteger(4_294_967_296));
        Assert.Equal(7UL, CategoricalIds.FromInteger(7));
    }

    private static float RawDense(string cell) => cell.Length == 0 ? float.NaN : float.Parse(cell, CultureInfo.InvariantCulture);

    private string WriteCsv()
    {
        var random = new Random(5);
        var text = new StringBuilder("clicked,price,age,score,user_id,device\n");
        string[] devices = ["ios", "android", "web", "tv", ""];
        for (int r = 0; r < Rows; r++)
        {
            string price = r % 17 == 0 ? "" : (random.NextDouble() * 500 - 20).ToString("R", CultureInfo.InvariantCulture);
            string age = r % 13 == 0 ? "" : (18 + random.Next(60) + random.NextDouble()).ToString("R", CultureInfo.InvariantCulture);
            string score = r % 11 == 0 ? "" : (random.NextDouble() * 4 - 2).ToString("R", CultureInfo.InvariantCulture);
            string user = r % 3 == 0 ? random.Next(1000).ToString(CultureInfo.InvariantCulture) : "user-" + random.Next(200);
            string[] cells = [(random.Next(4) == 0 ? 1 : 0).ToString(CultureInfo.InvariantCulture), price, age, score, user, devices[random.Next(devices.Length)]];
            _cells.Add(cells);
            text.Append(string.Join(',', cells)).Append('\n');
        }
        string path = Path.Combine(_folder, "shop.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
