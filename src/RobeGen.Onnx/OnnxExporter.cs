using System.Reflection;
using Google.Protobuf;
using Onnx;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Data;

namespace RobeGen.Onnx;

/// <summary>
/// Writes a trained model as one standard ONNX file (opset 17, plus ai.onnx.ml's LabelEncoder where a vocabulary maps
/// ids): the dense transform, every table's lookup with the exact ROBE hash (or Full, Hashed, QuotientRemainder rows),
/// the bottom MLP, the interaction, the top MLP and the sigmoid. Inputs: <see cref="DenseInput"/>, float
/// [batch, dense features], the raw dense values (the graph applies each column's declared transform); and one int64
/// [batch] input per single-hot table, named as the table, holding the raw 64-bit id's bits (Criteo's hex id as a number; a
/// user's column's id as <see cref="Data.Tabular.CategoricalIds"/> makes it; a missing id is <see cref="EmbeddingTable.MissingRawToken"/>);
/// a multi-hot table's bags come jagged as <see cref="BagValues"/> (int64 [ids]) and <see cref="BagLengths"/> (int64 [batch]),
/// pooled as its declaration says. Output: <see cref="ProbabilityOutput"/>, float [batch], the click
/// probability. docs/onnx.md describes it.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The dense features' input.</summary>
    public const string DenseInput = "dense";
    /// <summary>The click probability's output.</summary>
    public const string ProbabilityOutput = "probability";
    /// <summary>The standard operator set the graph uses (16 or later is needed for ScatterND's "add" reduction, which pools bags).</summary>
    public const int Opset = 17;
    /// <summary>ONNX's IR version for opset 17.</summary>
    private const long IrVersion = 8;
    internal const string MlDomain = "ai.onnx.ml";
    /// <summary>The metadata key listing the multi-hot tables (comma-separated), whose ids come as
    /// <see cref="BagValues"/> and <see cref="BagLengths"/>; absent when every table is single-hot.</summary>
    public const string BagTablesMetadata = "robegen.bag_tables";
    /// <summary>Protobuf's message limit: one ONNX file holds at most 2 GiB.</summary>
    private const long MaxFileBytes = int.MaxValue;

    /// <summary>Multi-hot table <paramref name="table"/>'s ids input: int64 [ids], every row's bag one after the other.</summary>
    public static string BagValues(EmbeddingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return table.Name + "_values";
    }

    /// <summary>Multi-hot table <paramref name="table"/>'s lengths input: int64 [batch], the ids of each row's bag in <see cref="BagValues"/>.</summary>
    public static string BagLengths(EmbeddingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return table.Name + "_lengths";
    }

    /// <summary>Writes <paramref name="model"/> (a loaded checkpoint) to <paramref name="path"/>, atomically: a temporary file beside it, then a rename.</summary>
    public static void Export(LoadedModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        Export(model.Model, model.Vocabulary, path, model.DenseStatistics);
    }

    /// <summary>Writes a live model to <paramref name="path"/>, atomically; <paramref name="vocabulary"/> and
    /// <paramref name="statistics"/> as in <see cref="Export(IDlrmBackend, Vocabulary?, Stream, DenseStatistics?)"/>.</summary>
    public static void Export(IDlrmBackend model, Vocabulary? vocabulary, string path, DenseStatistics? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelProto proto = Build(model, vocabulary, statistics);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory)) throw new OnnxExportException($"{path}: cannot write the ONNX file: the folder {directory} does not exist.");
        if (Directory.Exists(full)) throw new OnnxExportException($"{path}: cannot write the ONNX file: it is a folder.");
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                proto.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new OnnxExportException($"{path}: cannot write the ONNX file ({e.Message})", e);
        }
    }

    private static void TryDelete(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write failed first; that failure is the one to report.
        }
    }

    /// <summary>Writes <paramref name="model"/> (a loaded checkpoint) to <paramref name="output"/>.</summary>
    public static void Export(LoadedModel model, Stream output)
    {
        ArgumentNullException.ThrowIfNull(model);
        Export(model.Model, model.Vocabulary, output, model.DenseStatistics);
    }

    /// <summary>Writes a live model to <paramref name="output"/>; <paramref name="vocabulary"/> is the one its Full tables (or its
    /// vocabulary tokens) were trained with, <paramref name="statistics"/> those of its standardized dense columns (required when it has any).</summary>
    public static void Export(IDlrmBackend model, Vocabulary? vocabulary, Stream output, DenseStatistics? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        Build(model, vocabulary, statistics).WriteTo(output);
    }

    /// <summary>The ONNX model as bytes (what <see cref="Export(IDlrmBackend, Vocabulary?, Stream, DenseStatistics?)"/> writes).</summary>
    public static byte[] ToBytes(IDlrmBackend model, Vocabulary? vocabulary, DenseStatistics? statistics = null) =>
        Build(model, vocabulary, statistics).ToByteArray();

    internal static ModelProto Build(IDlrmBackend model, Vocabulary? vocabulary, DenseStatistics? statistics = null)
    {
        EmbeddingLayout layout = model.Layout;
        ModelDeclaration declaration = layout.Declaration;
        VocabularyMapper? mapper;
        try
        {
            mapper = VocabularyMapper.For(vocabulary, layout);
        }
        catch (InvalidOperationException e)
        {
            throw new OnnxExportException($"{declaration.Name}: {e.Message} The exported graph maps raw ids through the vocabulary the model was trained with.", e);
        }
        CheckSize(layout, declaration, mapper is null ? null : vocabulary);
        ModelState state = model.ExportState();

        var g = new OnnxGraph(declaration.Name);
        g.Input(DenseInput, TensorProto.Types.DataType.Float,
            $"The {declaration.DenseFeatures} dense features ({string.Join(", ", declaration.DenseColumns.Select(c => c.Name))}) as raw values, NaN where missing; " +
            "the graph applies each column's declared transform (Log1p: log(1 + x) for x > 0, else 0; Standardize: (x - mean) / std; None) and maps a missing value to 0.",
            declaration.DenseFeatures);
        HashSet<int> mapped = mapper is null ? [] : [.. mapper.MappedColumns];
        TableInputsGraph.Declare(g, declaration, mapped);
        string dense = DenseTransformGraph.Build(g, declaration, statistics ?? DenseStatistics.None, DenseInput);
        string bottom = MlpGraph.Bottom(g, declaration, state, dense);

        float[] embedding = state["embedding"];
        string weights = g.Floats("embedding", embedding, embedding.LongLength);
        var lookups = new EmbeddingLookups(g, layout, weights);
        List<string> embeddings = TableInputsGraph.Embeddings(g, layout, lookups, mapped, vocabulary);

        string interaction = declaration.Interaction == InteractionKind.Dot
            ? DotInteractionGraph.Build(g, declaration, bottom, embeddings)
            : CrossInteractionGraph.Build(g, declaration, state, bottom, embeddings);
        string logits = MlpGraph.Top(g, declaration, state, interaction);
        string probability = g.Node("Sigmoid", "probability_column", logits);
        g.Proto.Node.Add(new NodeProto
        {
            OpType = "Reshape",
            Name = "probability_Reshape",
            Input = { probability, g.Int64s([-1]) },
            Output = { ProbabilityOutput },
        });
        g.Output(ProbabilityOutput, TensorProto.Types.DataType.Float, "The click probability of each row.");

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "RobeGen",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            Domain = "ai.robegen",
            ModelVersion = 1,
            DocString = $"{declaration.Name}: a DLRM exported by RobeGen ({DescribeLayout(layout)}).",
            Graph = g.Proto,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        if (mapped.Count > 0) proto.OpsetImport.Add(new OperatorSetIdProto { Domain = MlDomain, Version = 3 });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "robegen.declaration", Value = declaration.Name });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "robegen.fingerprint", Value = declaration.Fingerprint });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "robegen.layout", Value = DescribeLayout(layout) });
        if (declaration.HasMultiHotTables)
            proto.MetadataProps.Add(new StringStringEntryProto
            {
                Key = BagTablesMetadata,
                Value = string.Join(',', declaration.Tables.Where(t => t.IsMultiHot).Select(t => t.Name)),
            });
        return proto;
    }

    private static string DescribeLayout(EmbeddingLayout layout) =>
        $"variant {layout.Variant}, ROBE slots {layout.RobeSlots}, Z {layout.BlockSize}, storage {string.Join(' ', layout.Storage)}";

    private static void CheckSize(EmbeddingLayout layout, ModelDeclaration declaration, Vocabulary? vocabulary)
    {
        long bytes = (layout.TotalParameters + declaration.MlpParameterCount) * sizeof(float);
        if (vocabulary is not null)
            foreach (EmbeddingTable table in declaration.Tables)
                if (vocabulary.HasColumn(table.Column)) bytes += vocabulary.Ids(table.Column).Length * 2L * 10; // varint keys and values
        if (bytes > MaxFileBytes - (1 << 20))
            throw new OnnxExportException(
                $"{declaration.Name} needs about {bytes / (1024.0 * 1024 * 1024):F1} GiB of weights; one ONNX file holds at most 2 GiB (protobuf's limit). Export a more compressed layout (a smaller ROBE array).");
    }
}
