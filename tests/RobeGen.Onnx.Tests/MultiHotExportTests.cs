using Microsoft.ML.OnnxRuntime;
using Onnx;
using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Devices;

namespace RobeGen.Onnx.Tests;

/// <summary>
/// The exported graph of a multi-hot model against the CPU backend on the same bags: Sum and Mean pooling over ROBE,
/// Signed ROBE, Hashed and QuotientRemainder tables; empty bags, repeated ids, one row, and batches of different id
/// counts through one session (the ids dimension is free).
/// </summary>
public sealed class MultiHotExportTests
{
    private const float Tolerance = 2e-5f;

    [Theory]
    [InlineData("sum")]
    [InlineData("mean")]
    public void OnnxRuntimeGivesTheBackendsPredictionsOnRandomBags(string pooling)
    {
        IDlrmDefinition definition = pooling == "sum" ? TaggedSumExport.Definition : TaggedMeanExport.Definition;
        using IDlrmBackend model = Trained(definition);
        using InferenceSession session = OnnxRuntimeSession.Open(OnnxExporter.ToBytes(model, null));
        // Three batches through one session: their id counts differ, and bags of up to 12 ids exceed the declared hotness.
        foreach ((int rows, int seed, int maxBag) in new[] { (200, 11, 5), (37, 12, 12), (64, 13, 1) })
            AssertSame(model, session, BagRows.Random(definition.Declaration, rows, seed, maxBag));
    }

    [Theory]
    [InlineData("sum")]
    [InlineData("mean")]
    public void EmptyBagsRepeatedIdsAndSingleRowsMatchTheBackend(string pooling)
    {
        IDlrmDefinition definition = pooling == "sum" ? TaggedSumExport.Definition : TaggedMeanExport.Definition;
        ModelDeclaration declaration = definition.Declaration;
        using IDlrmBackend model = Trained(definition);
        using InferenceSession session = OnnxRuntimeSession.Open(OnnxExporter.ToBytes(model, null));
        ulong[] none = [], repeated = [7, 7, 7, 1UL << 63, 7];
        // Each row: the single-hot user id, then every multi-hot table's bag.
        ulong[][] Row(ulong user, ulong[] bag) => [[user], .. Enumerable.Repeat(bag, declaration.TableCount - 1)];

        AssertSame(model, session, BagRows.Of(declaration, Row(5, repeated)));                  // one row, an id four times and another once
        AssertSame(model, session, BagRows.Of(declaration, Row(5, [42])));                      // one row, one id per bag
        AssertSame(model, session, BagRows.Of(declaration, Row(5, none)));                      // one row, no ids at all
        AssertSame(model, session, BagRows.Of(declaration, Row(1, none), Row(2, none), Row(3, none)));
        // Empty bags first, between and last, so the row of each id skips them.
        AssertSame(model, session, BagRows.Of(declaration, Row(1, none), Row(2, [3, 4]), Row(3, none), Row(4, none), Row(5, repeated), Row(6, none)));
    }

    [Fact]
    public void A_mean_bag_of_one_id_repeated_is_that_ids_embedding()
    {
        // Mean divides by the bag's length, repeats included: [x, x, x] pools to e(x), as [x] does (Sum would give 3 e(x)).
        using IDlrmBackend model = Trained(TaggedMeanExport.Definition);
        ModelDeclaration declaration = TaggedMeanExport.Definition.Declaration;
        using InferenceSession session = OnnxRuntimeSession.Open(OnnxExporter.ToBytes(model, null));
        float[] once = OnnxRuntimeSession.Run(session, BagRows.Of(declaration, [[9], [21], [4]]).OnnxInputs());
        float[] thrice = OnnxRuntimeSession.Run(session, BagRows.Of(declaration, [[9], [21, 21, 21], [4, 4, 4]]).OnnxInputs());
        Assert.Equal(once[0], thrice[0], 6);
    }

    [Fact]
    public void A_full_bag_maps_every_id_through_the_training_vocabulary()
    {
        ModelDeclaration declaration = TaggedFullExport.Definition.Declaration;
        // 32-bit ids (a vocabulary counts raw 32-bit ids); the vocabulary sees 0..29, the rows also hold unseen ones (index 0).
        ulong[] seen = [.. Enumerable.Range(0, 30).Select(i => (ulong)i * 7919)];
        Batch training = BagRows.Random(declaration, 128, seed: 5, pool: seen).ToBatch();
        var builder = new VocabularyBuilder([TaggedFullExport.Tables.Genres.Column], declaration.TableCount);
        builder.Add(training);
        Vocabulary vocabulary = builder.Build();
        using IDlrmBackend model = Dlrm.Create(TaggedFullExport.Definition, new ModelOptions { Seed = 3, Device = DeviceKind.Cpu, MaxBatchSize = 256 });
        VocabularyMapper mapper = VocabularyMapper.For(vocabulary, model.Layout)!;
        mapper.Map(training);
        for (int r = 0; r < training.Count; r++) training.Labels[r] = r % 3 == 0 ? 1 : 0;
        for (int step = 0; step < 5; step++) model.TrainStep(training, 0.1f);

        using InferenceSession session = OnnxRuntimeSession.Open(OnnxExporter.ToBytes(model, vocabulary));
        BagRows rows = BagRows.Random(declaration, 90, seed: 8, maxBag: 6, pool: [.. seen, 1, 2, 99_999, EmbeddingTable.MissingRawToken]);
        Batch mapped = rows.ToBatch();
        mapper.Map(mapped);
        var expected = new float[rows.Count];
        model.Predict(mapped, expected);
        float[] actual = OnnxRuntimeSession.Run(session, rows.OnnxInputs());
        for (int r = 0; r < rows.Count; r++)
            Assert.True(Math.Abs(expected[r] - actual[r]) <= Tolerance, $"row {r}: backend {expected[r]}, ONNX Runtime {actual[r]}");
    }

    [Fact]
    public void TheGraphDeclaresJaggedInputsForBagTablesOnly()
    {
        using IDlrmBackend model = Dlrm.Create(TaggedSumExport.Definition, new ModelOptions { Seed = 3, Device = DeviceKind.Cpu });
        ModelProto proto = ModelProto.Parser.ParseFrom(OnnxExporter.ToBytes(model, null));
        Dictionary<string, ValueInfoProto> inputs = proto.Graph.Input.ToDictionary(i => i.Name);
        Assert.Equal(["dense", "User", "Tags_values", "Tags_lengths", "Genres_values", "Genres_lengths"], proto.Graph.Input.Select(i => i.Name));
        Assert.Equal("batch", Assert.Single(inputs["User"].Type.TensorType.Shape.Dim).DimParam);
        Assert.Equal("Tags_values", Assert.Single(inputs["Tags_values"].Type.TensorType.Shape.Dim).DimParam);
        Assert.Equal("batch", Assert.Single(inputs["Tags_lengths"].Type.TensorType.Shape.Dim).DimParam);
        Assert.All(proto.Graph.Input.Skip(1), i => Assert.Equal((int)TensorProto.Types.DataType.Int64, i.Type.TensorType.ElemType));
        Assert.Equal("Tags,Genres", Assert.Single(proto.MetadataProps, p => p.Key == OnnxExporter.BagTablesMetadata).Value);
    }

    [Fact]
    public void A_table_named_as_a_bag_input_is_refused()
    {
        using IDlrmBackend model = Dlrm.Create(ClashingBagExport.Definition, new ModelOptions { Seed = 3, Device = DeviceKind.Cpu });
        var error = Assert.Throws<OnnxExportException>(() => OnnxExporter.ToBytes(model, null));
        Assert.Contains("Tags_values", error.Message);
    }

    /// <summary>A CPU model a few steps away from its initial weights (so the pooled embeddings are not the initial ones).</summary>
    private static IDlrmBackend Trained(IDlrmDefinition definition)
    {
        IDlrmBackend model = Dlrm.Create(definition, new ModelOptions { Seed = 3, Device = DeviceKind.Cpu, MaxBatchSize = 256 });
        BagRows rows = BagRows.Random(definition.Declaration, 128, seed: 5);
        Batch batch = rows.ToBatch();
        var random = new Random(6);
        for (int r = 0; r < batch.Count; r++) batch.Labels[r] = random.Next(3) == 0 ? 1 : 0;
        for (int step = 0; step < 5; step++) model.TrainStep(batch, 0.1f);
        return model;
    }

    private static void AssertSame(IDlrmBackend model, InferenceSession session, BagRows rows)
    {
        var expected = new float[rows.Count];
        model.Predict(rows.ToBatch(), expected);
        float[] actual = OnnxRuntimeSession.Run(session, rows.OnnxInputs());
        Assert.Equal(rows.Count, actual.Length);
        for (int r = 0; r < rows.Count; r++)
            Assert.True(Math.Abs(expected[r] - actual[r]) <= Tolerance, $"row {r} of {rows.Count}: backend {expected[r]}, ONNX Runtime {actual[r]}");
    }
}
