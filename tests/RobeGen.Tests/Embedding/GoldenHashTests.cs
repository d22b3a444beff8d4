using RobeGen.Models;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Embedding;

/// <summary>
/// The 48 golden values of shared/robe-spec.md (m = 27,000,000; columns 0, 1, 31, 32, 33, 127; Z = 1 and 32)
/// through the generated hash: by SlotOf (the per-table hash with a run-time block index) and by Gather's block
/// starts, for the declared Z (unrolled, literal K_c) and for a Z given at run time (generic loop).
/// </summary>
public sealed class GoldenHashTests
{
    private const long Slots = 27_000_000;
    private static readonly int[] Columns = { 0, 1, 31, 32, 33, 127 };

    /// <summary>xg, and the (table, token) of CriteoTerabyte / GoldenZ1 that give it (vocabulary offsets).</summary>
    private static readonly (ulong Xg, int Table, ulong Token)[] Rows =
    {
        (0, 0, 0),
        (1, 0, 1),
        (12345, 0, 12345),
        (39884406, 1, 0),
    };

    private static readonly long[][] GoldenZ1Values =
    {
        new long[] { 13329019, 16506517, 16055686, 5307927, 8485425, 19842924 },
        new long[] { 20534375, 23711873, 23261042, 26438540, 2616038, 48280 },
        new long[] { 15030028, 18207526, 17756695, 20934193, 10186434, 21543933 },
        new long[] { 397329, 3574827, 3123996, 6301494, 9478992, 6911234 },
    };

    private static readonly long[][] GoldenZ32Values =
    {
        new long[] { 13329732, 13329733, 13329763, 16506982, 16506983, 8938612 },
        new long[] { 20536080, 20536081, 20536111, 23713330, 23713331, 3067892 },
        new long[] { 15030865, 15030866, 15030896, 18208115, 18208116, 24562646 },
        new long[] { 399096, 399097, 399127, 3576346, 3576347, 9930877 },
    };

    private static readonly Lazy<float[]> Weights = new(() => new float[Slots]);

    public static TheoryData<string, int, bool> Paths() => new()
    {
        { nameof(CriteoTerabyte), 32, true },  // declared Z = 32
        { nameof(CriteoTerabyte), 1, false },  // Z = 1 at run time
        { nameof(GoldenZ1), 1, true },         // declared Z = 1
        { nameof(GoldenZ1), 32, false },       // Z = 32 at run time
    };

    private static IDlrmDefinition Model(string name) => name == nameof(CriteoTerabyte) ? CriteoTerabyte.Definition : GoldenZ1.Definition;

    private static long[][] Expected(int blockSize) => blockSize == 1 ? GoldenZ1Values : GoldenZ32Values;

    private static EmbeddingLayout Layout(IDlrmDefinition model, int blockSize) =>
        EmbeddingLayout.FromDeclaration(model.Declaration, new EmbeddingOverrides { RobeSlots = Slots, BlockSize = blockSize });

    [Fact]
    public void The_declarations_give_the_specs_global_row_ids()
    {
        foreach (var (xg, table, token) in Rows)
        {
            Assert.Equal(xg, RobeReference.GlobalRowId(CriteoTerabyte.Declaration.Tables[table], token));
            Assert.Equal(xg, RobeReference.GlobalRowId(GoldenZ1.Declaration.Tables[table], token));
        }
        Assert.Equal(39884406UL, CriteoTerabyte.TokenOffsets.C2);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SlotOf_gives_the_golden_values(string modelName, int blockSize, bool declared)
    {
        IDlrmDefinition model = Model(modelName);
        EmbeddingLayout layout = Layout(model, blockSize);
        Assert.Equal(declared, layout.IsDeclaredBlockSize);
        for (int row = 0; row < Rows.Length; row++)
        {
            for (int c = 0; c < Columns.Length; c++)
            {
                var (slot, sign) = model.Embedding.SlotOf(layout, Rows[row].Table, Rows[row].Token, Columns[c]);
                Assert.Equal(Expected(blockSize)[row][c], slot);
                Assert.Equal(1f, sign);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Gather_records_the_golden_block_starts(string modelName, int blockSize, bool declared)
    {
        IDlrmDefinition model = Model(modelName);
        EmbeddingLayout layout = Layout(model, blockSize);
        Assert.Equal(declared, layout.IsDeclaredBlockSize);
        int tables = layout.TableCount, maxBlocks = layout.MaxBlocks;

        // One sample per golden row; other tables read token 0.
        var tokens = new ulong[Rows.Length * tables];
        for (int row = 0; row < Rows.Length; row++) tokens[row * tables + Rows[row].Table] = Rows[row].Token;
        var starts = new long[Rows.Length * tables * maxBlocks];
        var output = new float[Rows.Length * tables * layout.Dim];
        model.Embedding.Gather(layout, Weights.Value, tokens, Rows.Length, starts, output);

        for (int row = 0; row < Rows.Length; row++)
        {
            for (int c = 0; c < Columns.Length; c++)
            {
                int j = Columns[c];
                long start = starts[(row * tables + Rows[row].Table) * maxBlocks + j / blockSize];
                Assert.Equal(Expected(blockSize)[row][c], start + j % blockSize);
            }
        }
    }

    [Fact]
    public void The_slow_reference_gives_the_golden_values_too()
    {
        // Guards the reference itself, which the variant and gather tests rely on.
        EmbeddingLayout z1 = Layout(GoldenZ1.Definition, 1), z32 = Layout(GoldenZ1.Definition, 32);
        for (int row = 0; row < Rows.Length; row++)
            for (int c = 0; c < Columns.Length; c++)
            {
                Assert.Equal(GoldenZ1Values[row][c], RobeReference.Slot(z1, Rows[row].Table, Rows[row].Token, Columns[c]).Slot);
                Assert.Equal(GoldenZ32Values[row][c], RobeReference.Slot(z32, Rows[row].Table, Rows[row].Token, Columns[c]).Slot);
            }
    }

    [Fact]
    public void The_table_hash_is_the_specs_h()
    {
        // RobeHash.Hash(KeyOf(token, offset), c) = (xg * R3 + c * R2 + R1) mod P, including xg far above 2^32 (raw ids).
        var rng = new Random(7);
        for (int i = 0; i < 1000; i++)
        {
            ulong token = (ulong)rng.NextInt64() * 2 + (ulong)rng.Next(2);
            int block = rng.Next(0, 4096);
            Assert.Equal(RobeReference.Hash(RobeReference.GlobalRowId(CriteoKaggle.Tables.C26, token), block),
                RobeHash.Hash(RobeHash.KeyOf(token, CriteoKaggle.TokenOffsets.C26), block));
            Assert.Equal(RobeReference.Hash(RobeReference.GlobalRowId(CriteoTerabyte.Tables.C3, token), block),
                RobeHash.Hash(RobeHash.KeyOf(token, CriteoTerabyte.TokenOffsets.C3), block));
        }
    }
}
