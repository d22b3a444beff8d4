using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

/// <summary>The test models' reference hash must itself reproduce the spec's golden values.</summary>
public sealed class ReferenceKernelTests
{
    private static readonly int[] Columns = [0, 1, 31, 32, 33, 127];

    [Theory]
    [InlineData(1, 0UL, new long[] { 13329019, 16506517, 16055686, 5307927, 8485425, 19842924 })]
    [InlineData(1, 1UL, new long[] { 20534375, 23711873, 23261042, 26438540, 2616038, 48280 })]
    [InlineData(1, 12345UL, new long[] { 15030028, 18207526, 17756695, 20934193, 10186434, 21543933 })]
    [InlineData(1, 39884406UL, new long[] { 397329, 3574827, 3123996, 6301494, 9478992, 6911234 })]
    [InlineData(32, 0UL, new long[] { 13329732, 13329733, 13329763, 16506982, 16506983, 8938612 })]
    [InlineData(32, 1UL, new long[] { 20536080, 20536081, 20536111, 23713330, 23713331, 3067892 })]
    [InlineData(32, 12345UL, new long[] { 15030865, 15030866, 15030896, 18208115, 18208116, 24562646 })]
    [InlineData(32, 39884406UL, new long[] { 399096, 399097, 399127, 3576346, 3576347, 9930877 })]
    public void Reference_formula_gives_the_spec_golden_slots(int z, ulong xg, long[] expected)
    {
        long[] slots = Columns.Select(j => ReferenceRobe.Slot(xg, j, 27_000_000, z, RobeVariant.Authors)).ToArray();
        Assert.Equal(expected, slots);
    }

    [Fact]
    public void Reference_gather_reads_what_SlotOf_names_and_records_block_starts()
    {
        TestModel model = TestModel.Tiny(slots: 50, blockSize: 3);
        var layout = EmbeddingLayout.FromDeclaration(model.Declaration);
        float[] weights = Enumerable.Range(0, (int)layout.TotalParameters).Select(i => (float)i).ToArray();
        var batch = TestBatches.Random(model.Declaration, 4, seed: 1);
        var output = new float[4 * layout.TableCount * layout.Dim];
        var starts = new long[4 * layout.TableCount * layout.MaxBlocks];
        model.Embedding.Gather(layout, weights, batch.TokenSpan, 4, starts, output);
        for (int b = 0; b < 4; b++)
            for (int t = 0; t < layout.TableCount; t++)
            {
                ulong token = batch.Tokens[b * layout.TableCount + t];
                // d = 4, Z = 3: blocks of 3 and 1 coordinates, each contiguous from its start.
                Assert.Equal(ReferenceRobe.Slot(token + model.Declaration.Tables[t].TokenOffset, 0, 50, 3, RobeVariant.Authors), starts[(b * 3 + t) * 2]);
                for (int j = 0; j < 4; j++)
                {
                    long start = starts[(b * 3 + t) * 2 + j / 3];
                    Assert.Equal(start + j % 3, output[(b * 3 + t) * 4 + j]);
                }
            }
    }
}
