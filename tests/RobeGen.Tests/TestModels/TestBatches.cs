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

    /// <summary>A random multi-hot batch: a multi-hot table's cell holds 0 to 2 * Hotness ids (empty bags and repeated ids
    /// included), a single-hot table's one id; ids below the cardinality.</summary>
    public static Batch RandomBags(ModelDeclaration declaration, int rows, int seed, int? capacity = null)
    {
        var random = new Random(seed);
        int tables = declaration.TableCount;
        var batch = new Batch(capacity ?? rows, declaration.DenseFeatures, tables, multiHot: true) { Count = rows };
        for (int i = 0; i < rows * declaration.DenseFeatures; i++) batch.Dense[i] = (float)(random.NextDouble() * 2 - 1);
        int next = 0;
        for (int b = 0; b < rows; b++)
        {
            batch.Labels[b] = random.Next(2);
            for (int t = 0; t < tables; t++)
            {
                EmbeddingTable table = declaration.Tables[t];
                int count = table.IsMultiHot ? random.Next(2 * table.Hotness + 1) : 1;
                batch.EnsureIdCapacity(next + count);
                for (int k = 0; k < count; k++)
                {
                    ulong id = table.Cardinality > 0 ? (ulong)random.NextInt64(table.Cardinality) : (ulong)random.NextInt64(1L << 32);
                    batch.BagIds[next + k] = k > 0 && random.Next(4) == 0 ? batch.BagIds[next + k - 1] : id;
                }
                next += count;
                batch.BagOffsets[b * tables + t + 1] = next;
            }
        }
        return batch;
    }
}
