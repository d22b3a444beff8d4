using RobeGen.Lab.Benchmarking;
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
