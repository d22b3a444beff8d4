using RobeGen.Data;

namespace RobeGen.Lab.Benchmarking;

/// <summary>
/// Criteo-shaped random batches: dense values like log(1 + count), one token per table (raw 32-bit ids, or
/// vocabulary indices below the table's cardinality), labels with a learnable signal so AUC means something.
/// </summary>
internal static class SyntheticBatches
{
    public static Batch Create(ModelDeclaration declaration, int rows, int seed)
    {
        var random = new Random(seed);
        int dense = declaration.DenseFeatures, tables = declaration.TableCount;
        var batch = new Batch(rows, dense, tables) { Count = rows };
        for (int r = 0; r < rows; r++)
        {
            for (int f = 0; f < dense; f++) batch.Dense[r * dense + f] = MathF.Log(1 + random.Next(0, 200));
            double score = batch.Dense[r * dense] - 2.5;
            for (int t = 0; t < tables; t++)
            {
                long cardinality = declaration.Tables[t].Cardinality;
                // Small vocabularies per table so tokens repeat (as in real logs); vocabulary tokens stay in range.
                long limit = Math.Min(cardinality > 0 ? cardinality : long.MaxValue, 1000 + 50 * t);
                ulong token = declaration.Tokens == TokenKind.Vocabulary ? (ulong)random.NextInt64(limit) : (ulong)random.NextInt64(limit) * 2654435761UL % (1UL << 32);
                batch.Tokens[r * tables + t] = token;
                if (t < 3) score += (token % 7) / 3.0 - 1;
            }
            batch.Labels[r] = random.NextDouble() < 1 / (1 + Math.Exp(-score)) ? 1f : 0f;
        }
        return batch;
    }

    /// <summary>
    /// Benchmark batches: tokens uniform over each table's <paramref name="vocabulary"/> (so Full rows are read all over
    /// their table, not from a hot corner that fits in cache), dense values and labels as <see cref="Create"/>.
    /// </summary>
    public static Batch CreateUniform(ModelDeclaration declaration, int rows, int seed, IReadOnlyList<long> vocabulary)
    {
        int tables = declaration.TableCount;
        if (vocabulary.Count != tables) throw new ArgumentException($"{tables} vocabulary sizes are needed; got {vocabulary.Count}.", nameof(vocabulary));
        Batch batch = Create(declaration, rows, seed);
        var random = new Random(seed ^ 0x5EED);
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < tables; t++)
                batch.Tokens[r * tables + t] = (ulong)random.NextInt64(Math.Max(1, vocabulary[t]));
        return batch;
    }
}
