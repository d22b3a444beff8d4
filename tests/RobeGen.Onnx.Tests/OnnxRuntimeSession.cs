using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RobeGen.Onnx.Tests;

/// <summary>Runs an exported model in ONNX Runtime (CPU) on raw inputs: dense values and per-table int64 ids.</summary>
internal static class OnnxRuntimeSession
{
    public static float[] Predict(byte[] model, ModelDeclaration declaration, int rows, Func<int, int, float> dense, Func<int, int, ulong> idOf)
    {
        using InferenceSession session = Open(model);
        var inputs = new List<NamedOnnxValue> { Dense(declaration, rows, dense) };
        foreach (EmbeddingTable table in declaration.Tables)
        {
            var ids = new DenseTensor<long>([rows]);
            for (int b = 0; b < rows; b++) ids[b] = unchecked((long)idOf(b, table.Column));
            inputs.Add(NamedOnnxValue.CreateFromTensor(table.Name, ids));
        }
        return Run(session, inputs);
    }

    /// <summary>A session that checks the graph as the tests require.</summary>
    public static InferenceSession Open(byte[] model)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        // Fail on any type or shape the graph's declared values contradict (what the ONNX checker's inference verifies).
        options.AddSessionConfigEntry("session.strict_shape_type_inference", "1");
        return new InferenceSession(model, options);
    }

    /// <summary>The dense input [rows, dense features] of raw values.</summary>
    public static NamedOnnxValue Dense(ModelDeclaration declaration, int rows, Func<int, int, float> dense)
    {
        var tensor = new DenseTensor<float>([rows, declaration.DenseFeatures]);
        for (int b = 0; b < rows; b++)
            for (int i = 0; i < declaration.DenseFeatures; i++) tensor[b, i] = dense(b, i);
        return NamedOnnxValue.CreateFromTensor(OnnxExporter.DenseInput, tensor);
    }

    /// <summary>The probabilities the session gives for <paramref name="inputs"/> (its one output).</summary>
    public static float[] Run(InferenceSession session, IReadOnlyCollection<NamedOnnxValue> inputs)
    {
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(inputs);
        DisposableNamedOnnxValue output = Assert.Single(results);
        Assert.Equal(OnnxExporter.ProbabilityOutput, output.Name);
        return output.AsTensor<float>().ToArray();
    }
}
