using RobeGen.Lab.Benchmarking;
using RobeGen.Data;
using RobeGen.Models;
using Xunit;

namespace RobeGen.Tests.Benchmarking;

public class BenchStorageTests
{
    [Theory]
    [InlineData(new long[] { 10, 3, 7 }, 2, 100)]   // everything fits: the largest cardinality
    [InlineData(new long[] { 10, 3, 7 }, 2, 30)]    // capped
    [InlineData(new long[] { 10, 3, 7 }, 1, 9)]
    [InlineData(new long[] { 1, 1000, 5 }, 4, 400)]
    public void Largest_row_cap_matches_a_linear_search(long[] cardinalities, int dim, long maxFloats)
    {
        long expected = 1;
        for (long cap = 1; cap <= cardinalities.Max(); cap++)
            if (cardinalities.Sum(c => Math.Min(c, cap)) * dim <= maxFloats) expected = cap;
        Assert.Equal(expected, BenchStorage.LargestRowCap(cardinalities, dim, maxFloats));
    }

    [Fact]
    public void Full_mlperf_tables_are_capped_to_one_host_array_and_tokens_stay_below_the_cap()
    {
        var declaration = CriteoTerabyte.Definition.Declaration;
        var storage = BenchStorage.Full(declaration, Array.MaxLength);
        Assert.NotNull(storage.RowCap);
        long floats = storage.Vocabulary.Sum() * declaration.EmbeddingDim;
        Assert.True(floats <= Array.MaxLength, $"{floats} floats");
        Assert.All(storage.Vocabulary, rows => Assert.True(rows <= storage.RowCap));
        var batch = SyntheticBatches.CreateUniform(declaration, 64, 1, storage.Vocabulary);
        for (int i = 0; i < batch.Tokens.Length; i++) Assert.True(batch.Tokens[i] < (ulong)storage.Vocabulary[i % declaration.TableCount]);
    }
}

public class BenchStorageIndexRowTests
{
    [Fact]
    public void A_full_storage_for_synthetic_indices_has_row_zero_more_and_takes_the_rows_ranks()
    {
        var declaration = CriteoKaggle.Definition.Declaration;
        var generator = new RobeGen.Synthetic.SyntheticGenerator(new RobeGen.Synthetic.SyntheticSpec { Cardinalities = RobeGen.Synthetic.SyntheticSpec.CardinalityTable("kaggle") });
        var rows = new RobeGen.Synthetic.SyntheticTrainingData(generator, 0, 10).ForModel(declaration).ForIndices();

        var plain = BenchStorage.Full(declaration, Array.MaxLength);
        var indexed = BenchStorage.Full(declaration, Array.MaxLength, indexRow: true);
        Assert.Equal(plain.Vocabulary.Select(r => r + 1), indexed.Vocabulary);
        Assert.Throws<ArgumentException>(() => rows.CheckIndicesFit(EmbeddingLayout.FromDeclaration(declaration, plain.Overrides)));
        rows.CheckIndicesFit(EmbeddingLayout.FromDeclaration(declaration, indexed.Overrides));
    }
}

public class SyntheticBatchesTests
{
    [Fact]
    public void A_multi_hot_model_gets_bags_of_exactly_each_tables_hotness_with_ids_below_the_vocabulary()
    {
        var declaration = CriteoTerabyteDcnV2MultiHot.Definition.Declaration;
        var storage = BenchStorage.Robe(declaration, 32);
        var batch = SyntheticBatches.CreateUniform(declaration, 16, 3, storage.Vocabulary);
        Assert.True(batch.IsMultiHot);
        Assert.Equal(16 * 214, batch.IdCount);
        for (int r = 0; r < 16; r++)
            for (int t = 0; t < declaration.TableCount; t++)
            {
                var bag = batch.Bag(r, t);
                Assert.Equal(declaration.Tables[t].Hotness, bag.Length);
                foreach (ulong id in bag) Assert.True(id < (ulong)storage.Vocabulary[t]);
            }
    }

    [Fact]
    public void A_single_hot_model_still_gets_one_token_per_cell()
    {
        var declaration = CriteoTerabyteDcnV2.Definition.Declaration;
        var batch = SyntheticBatches.Create(declaration, 8, 5);
        Assert.False(batch.IsMultiHot);
        Assert.Equal(8 * 26, batch.TokenSpan.Length);
    }
}

public class SyntheticFirstBatchesTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_first_batches_are_the_cursors_batches_each_kept_apart(bool multiHot)
    {
        var declaration = (multiHot ? CriteoTerabyteDcnV2MultiHot.Definition : CriteoTerabyte.Definition).Declaration;
        var generator = new RobeGen.Synthetic.SyntheticGenerator(new RobeGen.Synthetic.SyntheticSpec
        {
            Cardinalities = RobeGen.Synthetic.SyntheticSpec.CardinalityTable("mlperf", 0.001),
            Teacher = RobeGen.Synthetic.SyntheticTeacher.Structured,
        });
        var rows = new RobeGen.Synthetic.SyntheticTrainingData(generator, 0, 100).ForModel(declaration).ForIndices();

        Batch[] first = SyntheticBatches.First(rows, 32, 3);
        var expected = RobeGen.Tests.Data.BatchSnapshot.ReadAll(rows.Open(DataPosition.Start, 32));

        Assert.Equal(3, first.Length); // 100 rows hold 4 batches of 32: the first 3
        RobeGen.Tests.Data.BatchSnapshot.AssertSame(expected.Take(3).ToList(), first.Select(RobeGen.Tests.Data.BatchSnapshot.Of).ToList());
        Assert.Equal(multiHot, first[0].IsMultiHot);
        Assert.Equal(4, SyntheticBatches.First(rows, 32, 10).Length); // fewer when the rows end sooner (the last holds 4)
    }
}
