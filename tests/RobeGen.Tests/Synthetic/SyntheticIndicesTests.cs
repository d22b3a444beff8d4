using RobeGen.Data;
using RobeGen.Synthetic;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Synthetic;

/// <summary>
/// Synthetic rows given as vocabulary indices (<see cref="SyntheticGenerator.ForIndices"/>): the same rows, each token
/// replaced by its rank + 1, checked against the keyed permutation the raw ids come from.
/// </summary>
public sealed class SyntheticIndicesTests
{
    private static readonly SyntheticGenerator Raw = new(new SyntheticSpec { Seed = 11, Cardinalities = SyntheticSpec.CardinalityTable("kaggle", 0.001) });

    private static Batch First(SyntheticTrainingData data, int rows)
    {
        using IBatchCursor cursor = data.Open(DataPosition.Start, rows);
        Assert.True(cursor.MoveNext());
        return cursor.Current;
    }

    /// <summary>The index of a raw id, found by searching the ranks (the slow obvious inverse of the permutation).</summary>
    private static ulong IndexOf(int column, ulong id)
    {
        for (long rank = 0; rank < Raw.Spec.Cardinalities[column]; rank++)
            if (Raw.TokenId(column, rank) == id) return (ulong)rank + 1;
        throw new InvalidOperationException($"id {id:x8} is no rank of column {column}");
    }

    [Fact]
    public void Single_hot_rows_as_indices_are_the_same_rows_with_each_id_replaced_by_its_rank_plus_one()
    {
        Batch raw = First(new SyntheticTrainingData(Raw, 1000, 300), 300);
        Batch indices = First(new SyntheticTrainingData(Raw, 1000, 300).ForIndices(), 300);
        Assert.Equal(raw.Labels.AsSpan(0, 300).ToArray(), indices.Labels.AsSpan(0, 300).ToArray());
        Assert.Equal(raw.Dense.AsSpan(0, 300 * 13).ToArray(), indices.Dense.AsSpan(0, 300 * 13).ToArray());
        for (int i = 0; i < 300 * 26; i++)
        {
            int column = i % 26;
            Assert.InRange(indices.Tokens[i], 1UL, (ulong)Raw.Spec.Cardinalities[column]);
            Assert.Equal(IndexOf(column, raw.Tokens[i]), indices.Tokens[i]);
        }
    }

    [Fact]
    public void Multi_hot_bags_as_indices_keep_their_lengths_and_map_every_id()
    {
        ModelDeclaration declaration = MultiHotAuthors.Declaration;
        Batch raw = First(new SyntheticTrainingData(Raw, 0, 200).ForModel(declaration), 200);
        // Indices before or after shaping for the model give the same rows.
        Batch indices = First(new SyntheticTrainingData(Raw, 0, 200).ForModel(declaration).ForIndices(), 200);
        Batch early = First(new SyntheticTrainingData(Raw, 0, 200).ForIndices().ForModel(declaration), 200);
        Assert.Equal(raw.BagOffsets.AsSpan(0, 200 * declaration.TableCount + 1).ToArray(), indices.BagOffsets.AsSpan(0, 200 * declaration.TableCount + 1).ToArray());
        Assert.Equal(indices.BagIds.AsSpan(0, indices.IdCount).ToArray(), early.BagIds.AsSpan(0, early.IdCount).ToArray());
        for (int r = 0; r < 200; r++)
            for (int t = 0; t < declaration.TableCount; t++)
            {
                int column = declaration.Tables[t].Column;
                ulong[] expected = raw.Bag(r, t).ToArray().Select(id => IndexOf(column, id)).ToArray();
                Assert.Equal(expected, indices.Bag(r, t).ToArray());
            }
    }

    [Fact]
    public void Indices_take_no_vocabulary_mapper_and_a_full_table_too_small_for_them_is_named()
    {
        var data = new SyntheticTrainingData(Raw, 0, 10).ForIndices();
        Assert.True(data.Generator.GivesIndices);
        Assert.Contains("given as vocabulary indices", data.Description);
        Assert.Equal(Raw.Spec.Cardinalities[3] + 1, data.IndexRows(3));

        var vocabulary = Vocabulary.FromNamedIds([new NamedIds("C1", [5UL])]);
        var mapper = new VocabularyMapper(vocabulary, [(0, 0)]);
        Assert.Throws<InvalidOperationException>(() => data.WithVocabulary(mapper));
        Assert.Throws<InvalidOperationException>(() => new SyntheticTrainingData(Raw, 0, 10).WithVocabulary(mapper).ForIndices());

        IDlrmDefinition kaggle = RobeGen.Models.ModelCatalog.Get("criteo-kaggle");
        var fits = EmbeddingLayout.FromDeclaration(kaggle.Declaration, new EmbeddingOverrides
        {
            Storage = EmbeddingStorage.Full,
            Rows = Enumerable.Range(0, 26).Select(c => data.IndexRows(c)).ToArray(),
        });
        data.CheckIndicesFit(fits);
        long[] short1 = Enumerable.Range(0, 26).Select(c => data.IndexRows(c)).ToArray();
        short1[4]--;
        var tooSmall = EmbeddingLayout.FromDeclaration(kaggle.Declaration, new EmbeddingOverrides { Storage = EmbeddingStorage.Full, Rows = short1 });
        ArgumentException e = Assert.Throws<ArgumentException>(() => data.CheckIndicesFit(tooSmall));
        Assert.Contains("C5", e.Message);
    }
}
