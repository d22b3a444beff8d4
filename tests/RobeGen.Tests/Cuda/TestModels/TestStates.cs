using RobeGen.Backends;
using RobeGen.Data;

namespace RobeGen.Tests.Cuda.TestModels;

/// <summary>Seeded random model states and batches for the CUDA tests (names and order of docs/model-math.md).</summary>
internal static class TestStates
{
    public static ModelState RandomState(ModelDeclaration declaration, EmbeddingLayout layout, OptimizerKind optimizer, int seed)
    {
        var random = new Random(seed);
        var state = new ModelState();
        var tensors = new List<(string Name, int Length, float Scale)>();
        int fanIn = declaration.DenseFeatures;
        for (int i = 0; i < declaration.BottomMlp.Length; i++)
        {
            int fanOut = declaration.BottomMlp[i];
            tensors.Add(($"bottom.{i}.weight", fanIn * fanOut, MathF.Sqrt(2f / (fanIn + fanOut))));
            tensors.Add(($"bottom.{i}.bias", fanOut, MathF.Sqrt(1f / fanOut)));
            fanIn = fanOut;
        }
        fanIn = declaration.TopInputWidth;
        for (int i = 0; i <= declaration.TopMlp.Length; i++)
        {
            int fanOut = i == declaration.TopMlp.Length ? 1 : declaration.TopMlp[i];
            tensors.Add(($"top.{i}.weight", fanIn * fanOut, MathF.Sqrt(2f / (fanIn + fanOut))));
            tensors.Add(($"top.{i}.bias", fanOut, MathF.Sqrt(1f / fanOut)));
            fanIn = fanOut;
        }
        tensors.Add(("embedding", (int)layout.TotalParameters, 0.5f));
        foreach (var (name, length, scale) in tensors)
            state.Add(name, Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale * 1.7f).ToArray());
        if (optimizer == OptimizerKind.Adagrad)
            foreach (var (name, length, _) in tensors) state.Add("adagrad." + name, new float[length]);
        return state;
    }

    /// <summary>A batch with a learnable signal: the label depends on the first dense feature and the first token.</summary>
    public static Batch RandomBatch(ModelDeclaration declaration, int rows, int seed, int vocabulary = 6)
    {
        var random = new Random(seed);
        var batch = new Batch(rows, declaration.DenseFeatures, declaration.TableCount) { Count = rows };
        for (int r = 0; r < rows; r++)
        {
            for (int f = 0; f < declaration.DenseFeatures; f++) batch.Dense[r * declaration.DenseFeatures + f] = (float)random.NextDouble() * 2;
            for (int t = 0; t < declaration.TableCount; t++)
            {
                var table = declaration.Tables[t];
                long limit = table.Storage == EmbeddingStorage.Full ? table.Cardinality : vocabulary;
                batch.Tokens[r * declaration.TableCount + t] = (ulong)random.NextInt64(limit);
            }
            batch.Labels[r] = batch.Dense[r * declaration.DenseFeatures] + (batch.Tokens[r * declaration.TableCount] % 2) > 1.5f ? 1f : 0f;
        }
        return batch;
    }
}
