using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Training;

namespace RobeGen.Onnx.Tests;

/// <summary>
/// The exported graph against the CPU backend it was exported from: ONNX Runtime, given the raw inputs (untransformed
/// dense values, raw ids), must give the backend's predictions within 1e-5 on real Criteo rows, for every storage and
/// ROBE variant and interaction (Dot, Cat, DcnV2 low and full rank), and for ids of 2^63 and more (negative as int64).
/// </summary>
public sealed class OnnxExportTests
{
    private const int TrainRows = 1536, TestRows = 512, BatchSize = 128;
    private static readonly CriteoRows Rows = CriteoRows.Sample(TrainRows + TestRows);

    public static TheoryData<string> Models => new() { "authors", "circular", "signed", "mixed", "vocabulary", "cat", "dcn-low-rank", "dcn-full-rank" };

    [Theory]
    [MemberData(nameof(Models))]
    public void OnnxRuntimeGivesTheBackendsPredictionsOnRealRows(string name)
    {
        using var trained = TrainedModel.Create(Definition(name));
        Batch test = trained.Batch(Rows.ToBatch(trained.Declaration, TrainRows, TestRows));
        float[] expected = trained.Predict(test);

        float[] actual = OnnxRuntimeSession.Predict(trained.Export(), trained.Declaration, TestRows,
            (b, i) => Rows.Dense[(TrainRows + b) * 13 + i], (b, column) => Rows.Ids[(TrainRows + b) * 26 + column]);

        AssertClose(expected, actual);
    }

    [Theory]
    [InlineData("authors")]
    [InlineData("circular")]
    [InlineData("signed")]
    [InlineData("mixed")]
    public void OnnxRuntimeGivesTheBackendsPredictionsForAny64BitId(string name)
    {
        using var trained = TrainedModel.Create(Definition(name));
        var random = new Random(11);
        var ids = new ulong[TestRows * 26];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = (i % 4) switch { 0 => (ulong)random.NextInt64() | 1UL << 63, 1 => ulong.MaxValue - (ulong)random.Next(64), _ => (ulong)random.NextInt64() };
        Batch test = trained.Batch(Rows.ToBatch(trained.Declaration, TrainRows, TestRows, (row, column) => ids[(row - TrainRows) * 26 + column]));
        float[] expected = trained.Predict(test);

        float[] actual = OnnxRuntimeSession.Predict(trained.Export(), trained.Declaration, TestRows,
            (b, i) => Rows.Dense[(TrainRows + b) * 13 + i], (b, column) => ids[b * 26 + column]);

        AssertClose(expected, actual);
    }

    [Fact]
    public void TheKaggleModelExportsAndRunsInOnnxRuntime()
    {
        IDlrmDefinition kaggle = RobeGen.Models.CriteoKaggle.Definition;
        using IDlrmBackend model = Dlrm.Create(kaggle, new ModelOptions { Seed = 5, Device = DeviceKind.Cpu });
        const int rows = 256;
        Batch batch = Rows.ToBatch(model.Declaration, 0, rows);
        float[] expected = new float[rows];
        model.Predict(batch, expected);

        float[] actual = OnnxRuntimeSession.Predict(OnnxExporter.ToBytes(model, null), model.Declaration, rows,
            (b, i) => Rows.Dense[b * 13 + i], (b, column) => Rows.Ids[b * 26 + column]);

        AssertClose(expected, actual);
    }

    /// <summary>The MLPerf model (ROBE m = 27M, Z = 32, vocabulary tokens): a ~110 MB ONNX file, one LabelEncoder per table.</summary>
    [Fact]
    [Trait("Tier", "Slow")]
    public void TheMlperfModelExportsAndRunsInOnnxRuntime()
    {
        using var trained = TrainedModel.Create(RobeGen.Models.CriteoTerabyte.Definition);
        const int rows = 256;
        Batch test = trained.Batch(Rows.ToBatch(trained.Declaration, TrainRows, rows));
        float[] expected = trained.Predict(test);

        float[] actual = OnnxRuntimeSession.Predict(trained.Export(), trained.Declaration, rows,
            (b, i) => Rows.Dense[(TrainRows + b) * 13 + i], (b, column) => Rows.Ids[(TrainRows + b) * 26 + column]);

        AssertClose(expected, actual);
    }

    [Fact]
    public void AModelThatNeedsAVocabularyIsRefusedWithoutOne()
    {
        using IDlrmBackend model = Dlrm.Create(MixedExport.Definition, new ModelOptions
        {
            Device = DeviceKind.Cpu,
            Embedding = new EmbeddingOverrides { Rows = [0, 30, 0, 0] },
        });
        var error = Assert.Throws<OnnxExportException>(() => OnnxExporter.ToBytes(model, null));
        Assert.Contains("vocabulary", error.Message);
    }

    [Fact]
    public void ExportToAPathIsAtomicAndNamesAnUnwritableTarget()
    {
        using var trained = TrainedModel.Create(AuthorsExport.Definition, steps: 1);
        string folder = Directory.CreateTempSubdirectory("robegen-onnx-").FullName;
        try
        {
            string target = Path.Combine(folder, "model.onnx");
            trained.ExportTo(target);
            Assert.Equal(trained.Export(), File.ReadAllBytes(target));

            // A directory in the way: a typed error naming the path, and nothing left behind.
            string blocked = Path.Combine(folder, "taken");
            Directory.CreateDirectory(blocked);
            var error = Assert.Throws<OnnxExportException>(() => trained.ExportTo(blocked));
            Assert.Contains(blocked, error.Message);
            Assert.Equal(new[] { "model.onnx", "taken" }, Directory.GetFileSystemEntries(folder).Select(p => Path.GetFileName(p)!).Order().ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IDlrmDefinition Definition(string name) => name switch
    {
        "authors" => AuthorsExport.Definition,
        "circular" => CircularExport.Definition,
        "signed" => SignedExport.Definition,
        "mixed" => MixedExport.Definition,
        "vocabulary" => VocabularyExport.Definition,
        "cat" => CatExport.Definition,
        "dcn-low-rank" => DcnLowRankExport.Definition,
        "dcn-full-rank" => DcnFullRankExport.Definition,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= 1e-5, $"largest difference {worst:E2}");
        // The rows must tell the model something: predictions that do not vary would hide an addressing slip.
        Assert.True(expected.Max() - expected.Min() > 1e-3, "the predictions barely vary");
    }

    /// <summary>A model trained a few Adagrad steps on the sample's first rows (with the vocabulary it needs, built from them).</summary>
    private sealed class TrainedModel : IDisposable
    {
        private readonly IDlrmBackend _model;
        private readonly Vocabulary? _vocabulary;
        private readonly VocabularyMapper? _mapper;

        private TrainedModel(IDlrmBackend model, Vocabulary? vocabulary)
        {
            _model = model;
            _vocabulary = vocabulary;
            _mapper = VocabularyMapper.For(vocabulary, model.Layout);
        }

        public ModelDeclaration Declaration => _model.Declaration;

        public static TrainedModel Create(IDlrmDefinition definition, int steps = 12)
        {
            ModelDeclaration declaration = definition.Declaration;
            bool needsVocabulary = declaration.Tokens == TokenKind.Vocabulary || declaration.Tables.Any(t => t.Storage == EmbeddingStorage.Full);
            Vocabulary? vocabulary = null;
            var options = new ModelOptions { Seed = 7, Optimizer = OptimizerKind.Adagrad, Device = DeviceKind.Cpu };
            if (needsVocabulary)
            {
                // minCount 2 leaves rare ids out: they take index 0, the path unseen ids take at serving time.
                var builder = new VocabularyBuilder([.. declaration.Tables.Select(t => t.Column)]);
                builder.Add(Rows.ToCriteoBatch(0, TrainRows));
                vocabulary = builder.Build(minCount: 2);
                options = options with { Embedding = ModelSetup.WithVocabularyRows(declaration, EmbeddingOverrides.None, vocabulary) };
            }
            var trained = new TrainedModel(Dlrm.Create(definition, options), vocabulary);
            for (int step = 0; step < steps; step++)
            {
                int start = step * BatchSize % TrainRows;
                trained._model.TrainStep(trained.Batch(Rows.ToBatch(declaration, start, BatchSize)), 0.05f);
            }
            return trained;
        }

        /// <summary>The batch as the model takes it: ids mapped through the vocabulary where the model needs one.</summary>
        public Batch Batch(Batch raw)
        {
            _mapper?.Map(raw);
            return raw;
        }

        public float[] Predict(Batch batch)
        {
            var probabilities = new float[batch.Count];
            _model.Predict(batch, probabilities);
            return probabilities;
        }

        public byte[] Export() => OnnxExporter.ToBytes(_model, _vocabulary);

        public void ExportTo(string path) => OnnxExporter.Export(_model, _vocabulary, path);

        public void Dispose() => _model.Dispose();
    }
}
