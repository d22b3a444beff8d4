using System.Collections.Immutable;

namespace RobeGen.Data;

/// <summary>
/// Rewrites a batch's raw ids into vocabulary indices in place, for the tables that need indices: Full tables
/// (rows = n + 1) or, for models declared with <see cref="TokenKind.Vocabulary"/>, every table. Batch token column
/// t belongs to table t, whose data column is <see cref="EmbeddingTable.Column"/>. Missing, rare and unseen ids
/// become 0.
/// </summary>
public sealed class VocabularyMapper
{
    private readonly Vocabulary _vocabulary;
    private readonly ImmutableArray<(int BatchColumn, int DataColumn)> _mapped;

    /// <summary>Maps each listed batch column through the vocabulary of its data column.</summary>
    public VocabularyMapper(Vocabulary vocabulary, IEnumerable<(int BatchColumn, int DataColumn)> mapped)
    {
        _vocabulary = vocabulary;
        _mapped = mapped.ToImmutableArray();
        foreach ((_, int dataColumn) in _mapped)
            if (dataColumn >= vocabulary.Columns || !vocabulary.HasColumn(dataColumn))
                throw new ArgumentException($"The vocabulary has no column {Vocabulary.ColumnName(dataColumn)}.", nameof(mapped));
    }

    /// <summary>Batch columns this mapper rewrites.</summary>
    public IEnumerable<int> MappedColumns => _mapped.Select(m => m.BatchColumn);

    /// <summary>
    /// The mapper a model needs for its tokens: every table for vocabulary-token models, the Full tables otherwise;
    /// null when no table takes vocabulary indices.
    /// </summary>
    public static VocabularyMapper? For(Vocabulary? vocabulary, EmbeddingLayout layout)
    {
        if (!layout.TakesVocabularyIndices) return null;
        bool needsAll = layout.Declaration.Tokens == TokenKind.Vocabulary;
        if (vocabulary is null)
            throw new InvalidOperationException(needsAll
                ? $"{layout.Declaration.Name} takes vocabulary indices: build a vocabulary over the training data first."
                : "Full tables take vocabulary indices: build a vocabulary over the training data first (robegen train does it for --storage full).");
        return needsAll ? ForAllTables(vocabulary, layout.Declaration) : ForFullTables(vocabulary, layout);
    }

    /// <summary>Maps the Full tables of a layout, checking that each has room for its vocabulary.</summary>
    public static VocabularyMapper ForFullTables(Vocabulary vocabulary, EmbeddingLayout layout)
    {
        var mapped = new List<(int, int)>();
        for (int t = 0; t < layout.TableCount; t++)
        {
            if (layout.Storage[t] != EmbeddingStorage.Full) continue;
            EmbeddingTable table = layout.Declaration.Tables[t];
            long needed = vocabulary.Rows(table.Column);
            if (layout.Rows[t] < needed)
                throw new ArgumentException(
                    $"Full table {table.Name} has {layout.Rows[t]:N0} rows but its vocabulary needs {needed:N0} (the ids plus row 0 for missing and rare ones).",
                    nameof(layout));
            mapped.Add((t, table.Column));
        }
        return new VocabularyMapper(vocabulary, mapped);
    }

    /// <summary>Maps every table (models whose tokens are vocabulary indices).</summary>
    public static VocabularyMapper ForAllTables(Vocabulary vocabulary, ModelDeclaration declaration) =>
        new(vocabulary, declaration.Tables.Select(t => (t.Index, t.Column)));

    /// <summary>Rewrites the mapped columns of <paramref name="batch"/> in place (every id of a multi-hot batch's bags).</summary>
    public void Map(Batch batch)
    {
        if (_mapped.IsEmpty) return;
        int stride = batch.Tables;
        foreach ((int batchColumn, _) in _mapped)
            if (batchColumn >= stride) throw new ArgumentException($"The batch has {stride} token columns; table {batchColumn} is mapped.", nameof(batch));
        // Columns are independent: one task each once the batch is big enough to pay for the threads.
        if (batch.Count >= 4096 && _mapped.Length > 1)
            Parallel.For(0, _mapped.Length, k => MapColumn(batch, _mapped[k]));
        else
            foreach (var m in _mapped) MapColumn(batch, m);
    }

    private void MapColumn(Batch batch, (int BatchColumn, int DataColumn) m)
    {
        int stride = batch.Tables;
        if (batch.IsMultiHot)
        {
            // Every id of every bag of the column; the bags keep their lengths.
            ulong[] ids = batch.BagIds;
            int[] offsets = batch.BagOffsets;
            for (int r = 0, cell = m.BatchColumn; r < batch.Count; r++, cell += stride)
                for (int i = offsets[cell]; i < offsets[cell + 1]; i++) ids[i] = _vocabulary.IndexOf(m.DataColumn, ids[i]);
            return;
        }
        ulong[] tokens = batch.Tokens;
        for (int r = 0, i = m.BatchColumn; r < batch.Count; r++, i += stride)
            tokens[i] = _vocabulary.IndexOf(m.DataColumn, tokens[i]);
    }
}
