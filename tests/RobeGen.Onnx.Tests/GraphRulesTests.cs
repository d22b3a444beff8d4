using Onnx;
using RobeGen.Backends;
using RobeGen.Devices;

namespace RobeGen.Onnx.Tests;

/// <summary>
/// The structural rules of the ONNX checker (onnx.checker.check_model) that ONNX Runtime's loader does not enforce
/// by itself: nodes in topological order, every value defined once, only opset-17 operators (and ai.onnx.ml's
/// LabelEncoder), no initializer left unused. Types and shapes are checked where the graph runs: the runtime tests
/// load every file with strict shape and type inference.
/// </summary>
public sealed class GraphRulesTests
{
    /// <summary>The operators the exporter may emit, all in the default domain's opset 17.</summary>
    private static readonly HashSet<string> Opset17 =
    [
        "Add", "And", "Cast", "Concat", "ConstantOfShape", "CumSum", "Div", "Gather", "Gemm", "Greater", "GreaterOrEqual", "IsNaN",
        "Less", "Log", "MatMul", "Max", "Min", "Mod", "Mul", "Not", "Relu", "Reshape", "ScatterND", "Shape", "Sigmoid", "Slice", "Sub",
        "Transpose", "Unsqueeze", "Where",
    ];

    [Theory]
    [InlineData("authors")]
    [InlineData("mixed")]
    [InlineData("kaggle")]
    [InlineData("dcn")]
    [InlineData("tagged-sum")]
    [InlineData("tagged-mean")]
    public void TheGraphFollowsTheCheckersStructuralRules(string name)
    {
        IDlrmDefinition definition = name switch
        {
            "authors" => AuthorsExport.Definition,
            "mixed" => MixedExport.Definition,
            "dcn" => DcnLowRankExport.Definition,
            "tagged-sum" => TaggedSumExport.Definition,
            "tagged-mean" => TaggedMeanExport.Definition,
            _ => RobeGen.Models.CriteoKaggle.Definition,
        };
        bool hasFull = name is "mixed" or "dcn";
        long[] rows = name == "mixed" ? [0, 30, 0, 0] : [0, 30, 0];
        var options = new ModelOptions { Device = DeviceKind.Cpu, Embedding = new EmbeddingOverrides { Rows = rows } };
        using IDlrmBackend model = Dlrm.Create(definition, hasFull ? options : options with { Embedding = EmbeddingOverrides.None });
        // The Full table (table 1 of both) needs a vocabulary: one with ids 1..29 stands in.
        Data.Vocabulary? vocabulary = hasFull ? VocabularyOf(definition.Declaration.Tables[1].Column, 29) : null;
        ModelProto proto = ModelProto.Parser.ParseFrom(OnnxExporter.ToBytes(model, vocabulary));

        Assert.Equal(8, proto.IrVersion);
        Assert.Contains(proto.OpsetImport, o => o.Domain == "" && o.Version == 17);
        var defined = new HashSet<string>(proto.Graph.Input.Select(i => i.Name));
        foreach (TensorProto initializer in proto.Graph.Initializer) Assert.True(defined.Add(initializer.Name), $"{initializer.Name} defined twice");
        var used = new HashSet<string>();
        foreach (NodeProto node in proto.Graph.Node)
        {
            if (node.Domain == "ai.onnx.ml") Assert.Equal("LabelEncoder", node.OpType);
            else Assert.True(node.Domain == "" && Opset17.Contains(node.OpType), $"operator {node.Domain}:{node.OpType}");
            foreach (string input in node.Input)
            {
                Assert.True(defined.Contains(input), $"{node.Name} reads {input} before it is defined");
                used.Add(input);
            }
            foreach (string output in node.Output) Assert.True(defined.Add(output), $"{output} defined twice");
        }
        Assert.All(proto.Graph.Output, o => Assert.Contains(o.Name, defined));
        Assert.DoesNotContain(proto.Graph.Initializer, i => !used.Contains(i.Name));
        Assert.Equal(vocabulary is null ? 1 : 2, proto.OpsetImport.Count);
    }

    private static Data.Vocabulary VocabularyOf(int column, int ids)
    {
        var builder = new Data.VocabularyBuilder([column]);
        Data.Batch batch = Data.CriteoSchema.CreateBatch(ids);
        batch.Count = ids;
        for (int i = 0; i < ids; i++)
            for (int c = 0; c < 26; c++) batch.Tokens[i * 26 + c] = (ulong)(i + 1);
        builder.Add(batch);
        return builder.Build();
    }
}
