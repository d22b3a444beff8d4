using RobeGen.Data;

namespace RobeGen.Lab.Benchmarking;

/// <summary>
/// Criteo-shaped random batches: dense values like log(1 + count), ids (raw 32-bit ids, or vocabulary indices below the
/// table's cardinality), labels with a learnable signal so AUC means something. A single-hot model gets one token per
/// cell; a multi-hot model gets bags of exactly each table's <see cref="EmbeddingTable.Hotness"/> ids (MLPerf's multi-hot
/// data has a fixed hotness per feature), so a sample holds <see cref="ModelDeclaration.IdsPerSample"/> ids.
/// </summary>
internal static class SyntheticBatches
{
    public static Batch Create(ModelDeclaration declaration, int rows, int seed)
    {
        var random = new Random(seed);
        int dense = declaration.DenseFeatures, tables = declaration.TableCount;
        bool bags = declaration.HasMultiHotTables;
        var batch = bags
            ? new Batch(rows, dense, tables, multiHot: true, idsPerCell: Math.Max(1, declaration.IdsPerSample / tables))
            : new Batch(rows, dense, tables);
        batch.Count = rows;
        if (bags) batch.EnsureIdCapacity(rows * declaration.IdsPerSample);
        int next = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int f = 0; f < dense; f++) batch.Dense[r * dense + f] = MathF.Log(1 + random.Next(0, 200));
            double score = batch.Dense[r * dense] - 2.5;
            for (int t = 0; t < tables; t++)
            {
                long cardinality = declaration.Tables[t].Cardinality;
                // Small vocabularies per table so tokens repeat (as in real logs); vocabulary tokens stay in range.
                long limit = Math.Min(cardinality > 0 ? cardinality : long.MaxValue, 1000 + 50 * t);
                // Single-hot: one draw per cell, so single-hot batches are what they were before bags existed.
                int ids = bags ? declaration.Tables[t].Hotness : 1;
                for (int k = 0; k < ids; k++)
                {
                    ulong token = declaration.Tokens == TokenKind.Vocabulary ? (ulong)random.NextInt64(limit) : (ulong)random.NextInt64(limit) * 2654435761UL % (1UL << 32);
                    if (bags) batch.BagIds[next + k] = token;
                    else batch.Tokens[r * tables + t] = token;
                    // The label's signal reads the first id of a cell.
                    if (k == 0 && t < 3) score += (token % 7) / 3.0 - 1;
                }
                if (bags) batch.BagOffsets[r * tables + t + 1] = next += ids;
            }
            batch.Labels[r] = random.NextDouble() < 1 / (1 + Math.Exp(-score)) ? 1f : 0f;
        }
        return batch;
    }

    /// <summary>
    /// The first <paramref name="count"/> batches of <paramref name="data"/> from its start, each a copy of its own (a cursor
    /// reuses one batch). Fewer when the data ends sooner; at least one, or an <see cref="ArgumentException"/>.
    /// </summary>
    public static Batch[] First(ITrainingData data, int batchSize, int count)
    {
        var batches = new List<Batch>(count);
        using IBatchCursor cursor = data.Open(DataPosition.Start, batchSize);
        while (batches.Count < count && cursor.MoveNext()) batches.Add(BagWriter.CopyRows(cursor.Current, cursor.Current.Count));
        return batches.Count > 0 ? [.. batches] : throw new ArgumentException($"{data.Description} holds no rows.", nameof(data));
    }

    /// <summary>
    /// Benchmark batches: every id uniform over its table's <paramref name="vocabulary"/> (so Full rows are read all over
    /// their table, not from a hot corner that fits in cache), bags, dense values and labels as <see cref="Create"/>.
    /// </summary>
    public static Batch CreateUniform(ModelDeclaration declaration, int rows, int seed, IReadOnlyList<long> vocabulary)
    {
        int tables = declaration.TableCount;
        if (vocabulary.Count != tables) throw new ArgumentException($"{tables} vocabulary sizes are needed; got {vocabulary.Count}.", nameof(vocabulary));
        Batch batch = Create(declaration, rows, seed);
        var random = new Random(seed ^ 0x5EED);
        for (int cell = 0; cell < rows * tables; cell++)
        {
            long range = Math.Max(1, vocabulary[cell % tables]);
            if (!batch.IsMultiHot) { batch.Tokens[cell] = (ulong)random.NextInt64(range); continue; }
            for (int i = batch.BagOffsets[cell]; i < batch.BagOffsets[cell + 1]; i++) batch.BagIds[i] = (ulong)random.NextInt64(range);
        }
        return batch;
    }
}
