using System.Collections.Immutable;
using RobeGen.Checkpoints;
using RobeGen.Data;

namespace RobeGen.Tests.Data;

public class VocabularyTests
{
    private const ulong Missing = EmbeddingTable.MissingRawToken;

    /// <summary>A batch of 3 token columns from rows of ids.</summary>
    private static Batch BatchOf(params ulong[][] rows)
    {
        var batch = new Batch(rows.Length, 0, 3) { Count = rows.Length };
        for (int r = 0; r < rows.Length; r++) rows[r].CopyTo(batch.Tokens, r * 3);
        return batch;
    }

    [Fact]
    public void Ids_reaching_the_minimum_count_get_indices_in_id_order_and_everything_else_gets_zero()
    {
        var builder = new VocabularyBuilder(totalColumns: 3);
        builder.Add(BatchOf([9, 0xFFFFFFFF, 1], [5, Missing, 1], [9, 0xFFFFFFFF, 2]));
        builder.Add(BatchOf([7, 0, Missing], [5, 0, Missing], [9, 3, 2]));
        Vocabulary v = builder.Build(minCount: 2);

        Assert.Equal([5UL, 9], v.Ids(0).ToArray());               // 7 seen once
        Assert.Equal([0UL, 0xFFFFFFFF], v.Ids(1).ToArray());      // 3 seen once, missing never counted
        Assert.Equal([1UL, 2], v.Ids(2).ToArray());
        Assert.Equal(3, v.Rows(0));
        Assert.Equal(1u, v.IndexOf(0, 5));
        Assert.Equal(2u, v.IndexOf(0, 9));
        Assert.Equal(0u, v.IndexOf(0, 7));                        // rare
        Assert.Equal(0u, v.IndexOf(0, 12345));                    // unseen
        Assert.Equal(0u, v.IndexOf(1, Missing));                  // missing
        Assert.Equal(2u, v.IndexOf(1, 0xFFFFFFFF));
    }

    [SharedDataFact]
    public void A_vocabulary_of_real_data_matches_a_linq_count_and_does_not_depend_on_threads()
    {
        string path = SharedData.PathOf(SharedData.KaggleHead);
        List<ReferenceCriteoParser.Row> rows = ReferenceCriteoParser.ReadLines(path).Select(l => ReferenceCriteoParser.Parse(l, CriteoLayout.Labeled)).ToList();
        Vocabulary one = VocabularyBuilder.Build([path], CriteoLayout.Labeled, minCount: 3, options: new CriteoReaderOptions { BatchSize = 1000, ParserThreads = 1 });
        Vocabulary many = VocabularyBuilder.Build([path], CriteoLayout.Labeled, minCount: 3, options: new CriteoReaderOptions { BatchSize = 333, ParserThreads = 4 });
        for (int c = 0; c < 26; c++)
        {
            ulong[] expected = rows.Select(r => r.Tokens[c]).Where(t => t != Missing).GroupBy(t => t)
                .Where(g => g.Count() >= 3).Select(g => g.Key).Order().ToArray();
            Assert.Equal(expected, one.Ids(c).ToArray());
            Assert.Equal(expected, many.Ids(c).ToArray());
        }
        // Column C1 of the Kaggle data is small: most of its ids are frequent.
        Assert.InRange(one.Ids(0).Length, 50, 1460);
    }

    [Fact]
    public void Only_the_requested_columns_are_counted()
    {
        var builder = new VocabularyBuilder([2], totalColumns: 3);
        builder.Add(BatchOf([1, 2, 3]));
        Vocabulary v = builder.Build();
        Assert.False(v.HasColumn(0));
        Assert.True(v.HasColumn(2));
        Assert.Throws<InvalidOperationException>(() => v.IndexOf(0, 1));
        Assert.Equal(["C3"], v.ToNamedIds().Select(n => n.Name));
    }

    [Fact]
    public void A_vocabulary_survives_a_checkpoint()
    {
        var builder = new VocabularyBuilder();
        var batch = CriteoSchema.CreateBatch(4);
        batch.Count = 4;
        var random = new Random(2);
        for (int i = 0; i < batch.Tokens.Length; i++) batch.Tokens[i] = (ulong)random.Next(0, 6);
        builder.Add(batch);
        Vocabulary v = builder.Build();

        using var temp = new TempFolder();
        string path = temp.File("v.rgck");
        CheckpointFile.Save(path, new Checkpoint { DeclarationName = "M", Fingerprint = "1", State = new(), Vocabularies = v.ToNamedIds() });
        Vocabulary back = Vocabulary.FromNamedIds(CheckpointFile.Load(path).Vocabularies);
        for (int c = 0; c < 26; c++)
        {
            Assert.Equal(v.Ids(c).ToArray(), back.Ids(c).ToArray());
            for (ulong id = 0; id < 8; id++) Assert.Equal(v.IndexOf(c, id), back.IndexOf(c, id));
        }
    }

    private static ModelDeclaration ThreeTables(params EmbeddingStorage[] storage) =>
        new("Tests.Vocab", 0, 4, [4], [], TokenKind.RawId, 100, 2, RobeVariant.Authors,
            Enumerable.Range(0, 3).Select(t => new EmbeddingTable($"C{t + 1}", t, t, 3, storage[t], 0, 0)).ToImmutableArray(), "fp");

    [Fact]
    public void The_mapper_rewrites_only_full_tables_in_place()
    {
        var builder = new VocabularyBuilder(totalColumns: 3);
        builder.Add(BatchOf([10, 20, 30], [11, 21, 31]));
        Vocabulary v = builder.Build();
        var layout = EmbeddingLayout.FromDeclaration(ThreeTables(EmbeddingStorage.Full, EmbeddingStorage.Robe, EmbeddingStorage.Full));
        var mapper = VocabularyMapper.ForFullTables(v, layout);
        Batch batch = BatchOf([11, 21, 99], [Missing, 20, 30]);
        mapper.Map(batch);
        Assert.Equal([2UL, 21, 0, 0, 20, 1], batch.Tokens);
        Assert.Equal([0, 2], mapper.MappedColumns);
    }

    [Fact]
    public void A_full_table_too_small_for_its_vocabulary_is_refused()
    {
        var builder = new VocabularyBuilder(totalColumns: 3);
        builder.Add(BatchOf([1, 1, 1], [2, 2, 2], [3, 3, 3]));
        Vocabulary v = builder.Build(); // 3 ids per column: 4 rows needed, the declaration has 3
        var layout = EmbeddingLayout.FromDeclaration(ThreeTables(EmbeddingStorage.Full, EmbeddingStorage.Full, EmbeddingStorage.Full));
        var e = Assert.Throws<ArgumentException>(() => VocabularyMapper.ForFullTables(v, layout));
        Assert.Contains("C1", e.Message);
        var enough = EmbeddingLayout.FromDeclaration(layout.Declaration, new EmbeddingOverrides { Storage = EmbeddingStorage.Full, Rows = [4, 4, 4] });
        Assert.Equal(3, VocabularyMapper.ForFullTables(v, enough).MappedColumns.Count());
    }

    [Fact]
    public void The_id_table_holds_many_ids_through_growth()
    {
        var table = new IdHashTable(expectedCount: 1);
        var random = new Random(9);
        var reference = new Dictionary<ulong, uint>();
        for (int i = 0; i < 200_000; i++)
        {
            ulong id = i % 3 == 0 ? (ulong)i : (ulong)random.NextInt64(0, 1L << 32);
            table.GetOrAdd(id)++;
            reference[id] = reference.GetValueOrDefault(id) + 1;
        }
        Assert.Equal(reference.Count, table.Count);
        foreach ((ulong id, uint count) in reference)
        {
            Assert.True(table.TryGetValue(id, out uint value));
            Assert.Equal(count, value);
        }
        Assert.False(table.TryGetValue(1UL << 32, out _));
        Assert.Equal(reference.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)), table.Entries().OrderBy(e => e.Id));
    }
}
