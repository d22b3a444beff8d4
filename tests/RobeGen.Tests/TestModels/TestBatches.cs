using RobeGen.Data;

namespace RobeGen.Tests.TestModels;

/// <summary>Random batches for a declaration: dense values in [-1, 1), tokens below each table's cardinality
/// (any 32-bit value when the cardinality is unknown), labels 0/1.</summary>
internal static class TestBatches
{
    public static Batch Random(ModelDeclaration declaration, int rows, int seed, int? capacity = null)
    {
        var random = new Random(seed);
        var batch = new Batch(capacity ?? rows, declaration.DenseFeatures, declaration.TableCount) { Count = rows };
        for (int i = 0; i < rows * declaration.DenseFeatures; i++) batch.Dense[i] = (float)(random.NextDouble() * 2 - 1);
        for (int b = 0; b < rows; b++)
        {
            batch.Labels[b] = random.Next(2);
            for (int t = 0; t < declaration.TableCount; t++)
            {
                long cardinality = declaration.Tables[t].Cardinality;
                batch.Tokens[b * declaration.TableCount + t] = cardinality > 0 ? (ulong)random.NextInt64(cardinality) : (ulong)random.NextInt64(1L << 32);
            }
        }
        return batch;
    }
}
