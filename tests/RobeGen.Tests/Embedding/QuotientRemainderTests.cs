using RobeGen.Tests.Models;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Embedding;

/// <summary>
/// QuotientRemainder storage: the layout by hand, golden values of a tiny table by hand, and the generated CPU loops
/// against the slow obvious reference (<see cref="ReferenceEmbeddingKernels"/>: x = token mod (Q R) in 128 bits).
/// </summary>
public sealed class QuotientRemainderTests
{
    private const int Batch = 9;

    // SmallQr by hand: ROBE array 97 slots; Robe1 in it; Qr1 (43 + 7 rows) at 97; Full1 (50 rows) at 97 + 50 * 20 = 1097;
    // Qr2 (4 + 3 rows) at 1097 + 50 * 20 = 2097; total 2097 + 7 * 20 = 2237.
    private const long Qr2Base = 2097;

    public static TheoryData<string> Layouts => new() { "declared", "z=3", "z=d", "all-qr" };

    /// <summary>SmallQr's layouts the QR tests run over (also the GPU kernel tests').</summary>
    internal static EmbeddingLayout Layout(string name) => EmbeddingLayout.FromDeclaration(SmallQr.Declaration, name switch
    {
        "declared" => EmbeddingOverrides.None,
        "z=3" => new EmbeddingOverrides { BlockSize = 3 },
        "z=d" => new EmbeddingOverrides { BlockSize = 20 },
        // Every table QuotientRemainder, Rows and Q given at run time (Q * R from just below to well above n).
        "all-qr" => new EmbeddingOverrides
        {
            Storage = EmbeddingStorage.QuotientRemainder,
            Rows = [31, 5, 7, 2],
            QuotientRows = [33, 61, 8, 1],
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown layout"),
    });

    [Fact]
    public void Declared_layout_and_sizes_are_the_hand_computed_ones()
    {
        EmbeddingLayout layout = EmbeddingLayout.FromDeclaration(SmallQr.Declaration);
        Assert.Equal([0L, 7, 50, 3], layout.Rows.ToArray());
        Assert.Equal([0L, 43, 0, 4], layout.QuotientRows.ToArray());
        Assert.Equal([0L, 97, 1097, Qr2Base], layout.TableBase.ToArray());
        Assert.Equal(2237, layout.TotalParameters);
        Assert.Equal(3, layout.MaxBlocks);                     // ceil(20 / 8) ROBE blocks
        Assert.Equal(SmallQr.ParameterCount, 2237 + SmallQr.Declaration.MlpParameterCount);
        Assert.Equal(SmallQr.ParameterCount, SmallQr.Declaration.DeclaredSize.Parameters);
        Assert.Equal(2, Layout("z=d").MaxBlocks);              // one ROBE block, but a QR pair records two starts
    }

    [Fact]
    public void A_table_without_cardinality_or_rows_is_refused_at_run_time()
    {
        TestModel model = TestModel.Create(3, 4, [4], [], [new TestTable(0, EmbeddingStorage.QuotientRemainder, 3)], slots: 8, blockSize: 2);
        Assert.Contains("Cardinality", Assert.Throws<ArgumentException>(() => EmbeddingLayout.FromDeclaration(model.Declaration)).Message);
        Assert.Equal(7 * 4, EmbeddingLayout.FromDeclaration(model.Declaration, new EmbeddingOverrides { QuotientRows = [4] }).TotalParameters);
        TestModel noRows = TestModel.Create(3, 4, [4], [], [new TestTable(10, EmbeddingStorage.QuotientRemainder)], slots: 8, blockSize: 2);
        Assert.Contains("Rows", Assert.Throws<ArgumentException>(() => EmbeddingLayout.FromDeclaration(noRows.Declaration)).Message);
    }

    [Fact]
    public void Golden_values_of_a_tiny_table_by_hand()
    {
        // Qr2: Q = 4, R = 3, d = 20. Quotient row q holds q + 1 in every coordinate, remainder row r holds 10 (r + 1) + j.
        EmbeddingLayout layout = EmbeddingLayout.FromDeclaration(SmallQr.Declaration);
        var weights = new float[layout.TotalParameters];
        for (int q = 0; q < 4; q++) for (int j = 0; j < 20; j++) weights[Qr2Base + q * 20 + j] = q + 1;
        for (int r = 0; r < 3; r++) for (int j = 0; j < 20; j++) weights[Qr2Base + (4 + r) * 20 + j] = 10 * (r + 1) + j;

        // token 7: q = 2, r = 1. token 11: q = 3, r = 2. token 12 = Q R folds to 0. token 2^32 = 12 * 357913941 + 4: q = 1, r = 1.
        (ulong Token, int Q, int R)[] cases = [(7, 2, 1), (11, 3, 2), (12, 0, 0), (1UL << 32, 1, 1)];
        var tokens = new ulong[cases.Length * 4];
        for (int s = 0; s < cases.Length; s++) tokens[s * 4 + 3] = cases[s].Token;
        var starts = new long[cases.Length * 4 * layout.MaxBlocks];
        var output = new float[cases.Length * 4 * 20];
        SmallQr.Definition.Embedding.Gather(layout, weights, tokens, cases.Length, starts, output);

        for (int s = 0; s < cases.Length; s++)
        {
            var (_, q, r) = cases[s];
            long record = (s * 4 + 3) * layout.MaxBlocks;
            Assert.Equal(Qr2Base + q * 20, starts[record]);
            Assert.Equal(Qr2Base + (4 + r) * 20, starts[record + 1]);
            for (int j = 0; j < 20; j++) Assert.Equal((float)((q + 1) * (10 * (r + 1) + j)), output[(s * 4 + 3) * 20 + j]);
        }
        Assert.Equal(60f, output[3 * 20]);            // token 7, j = 0: 3 * 20
        Assert.Equal(117f, output[3 * 20 + 19]);      // token 7, j = 19: 3 * 39

        // The product rule for one read of token 7 with dL/dE = 1: dQ[2][j] = Rm[1][j] = 20 + j, dRm[1][j] = Q[2][j] = 3.
        var gradOutput = new float[output.Length];
        for (int j = 0; j < 20; j++) gradOutput[3 * 20 + j] = 1f;
        var grad = new float[layout.TotalParameters];
        SmallQr.Definition.Embedding.ScatterGradient(layout, weights, tokens.AsSpan(0, 4), starts, 1, gradOutput, grad);
        for (int j = 0; j < 20; j++)
        {
            Assert.Equal(20f + j, grad[Qr2Base + 2 * 20 + j]);
            Assert.Equal(3f, grad[Qr2Base + 5 * 20 + j]);
        }
        Assert.Equal(40, grad.Count(g => g != 0));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Generated_loops_equal_the_slow_reference(string layoutName)
    {
        EmbeddingLayout layout = Layout(layoutName);
        IEmbeddingKernels generated = SmallQr.Definition.Embedding;
        var reference = new ReferenceEmbeddingKernels();
        ulong[] tokens = EmbeddingCases.Tokens(layout, Batch, seed: 21);
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 22);
        float[] gradOutput = EmbeddingCases.Floats(Batch * layout.TableCount * layout.Dim, seed: 23);
        int records = Batch * layout.TableCount * layout.MaxBlocks;

        var starts = new long[records];
        var output = new float[Batch * layout.TableCount * layout.Dim];
        var grad = new float[layout.TotalParameters];
        generated.Gather(layout, weights, tokens, Batch, starts, output);
        generated.ScatterGradient(layout, weights, tokens, starts, Batch, gradOutput, grad);

        var referenceStarts = new long[records];
        var referenceOutput = new float[output.Length];
        var referenceGrad = new float[grad.Length];
        reference.Gather(layout, weights, tokens, Batch, referenceStarts, referenceOutput);
        reference.ScatterGradient(layout, weights, tokens, referenceStarts, Batch, gradOutput, referenceGrad);

        // One multiply per coordinate, and the same additions in the same order: equal to the last bit.
        Assert.Equal(referenceOutput, output);
        Assert.Equal(referenceGrad, grad);
        for (int pair = 0; pair < Batch * layout.TableCount; pair++)
        {
            if (layout.Storage[pair % layout.TableCount] != EmbeddingStorage.QuotientRemainder) continue;
            Assert.Equal(referenceStarts[pair * layout.MaxBlocks], starts[pair * layout.MaxBlocks]);
            Assert.Equal(referenceStarts[pair * layout.MaxBlocks + 1], starts[pair * layout.MaxBlocks + 1]);
        }
        Assert.Contains(grad, g => g != 0);
    }

    [Fact]
    public void SlotOf_refuses_a_QuotientRemainder_table()
    {
        EmbeddingLayout layout = EmbeddingLayout.FromDeclaration(SmallQr.Declaration);
        var error = Assert.Throws<NotSupportedException>(() => SmallQr.Definition.Embedding.SlotOf(layout, 1, 5, 0));
        Assert.Contains("Qr1", error.Message);
        Assert.Equal(97 + 50 * 20 + 7 * 20 + 3, SmallQr.Definition.Embedding.SlotOf(layout, 2, 7, 3).Slot);
    }
}
