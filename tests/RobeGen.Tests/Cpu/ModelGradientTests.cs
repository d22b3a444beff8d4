using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Data;
using RobeGen.Lab.Equivalence;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

/// <summary>The whole CPU model against the float64 reference: predictions, loss and the gradient of every parameter,
/// the ROBE array's colliding slots included.</summary>
public sealed class ModelGradientTests
{
    public static TheoryData<RobeVariant, EmbeddingStorage, long, int> Models => new()
    {
        // m = 11 slots read by 3 tables x 7 rows x 2 blocks: nearly every slot is shared.
        { RobeVariant.Authors, EmbeddingStorage.Robe, 11, 2 },
        { RobeVariant.Authors, EmbeddingStorage.Robe, 40, 3 },    // Z does not divide d: a partial last block
        { RobeVariant.Circular, EmbeddingStorage.Robe, 9, 4 },    // blocks wrap around the end of the array
        { RobeVariant.Signed, EmbeddingStorage.Robe, 11, 1 },
        { RobeVariant.Authors, EmbeddingStorage.Full, 13, 2 },    // tables 0 and 2 Full, table 1 ROBE
        { RobeVariant.Authors, EmbeddingStorage.Hashed, 13, 2 },  // tables 0 and 2 Hashed (3 and 4 rows)
        // Tables 0 and 2 QuotientRemainder (3 x 3 and 3 x 4 rows): 6 rows of tokens share quotient and remainder rows.
        { RobeVariant.Authors, EmbeddingStorage.QuotientRemainder, 13, 2 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_gradient_matches_central_differences_of_the_double_reference(RobeVariant variant, EmbeddingStorage storage, long slots, int blockSize)
    {
        TestModel model = TestModel.Tiny(variant, storage, slots, blockSize);
        using var backend = new CpuDlrmBackend(model, new ModelOptions { Seed = 5, MaxBatchSize = 16, Threads = 2 });
        Batch batch = TestBatches.Random(model.Declaration, rows: 6, seed: 9);
        var reference = new ReferenceDlrm(backend.Layout, model.Embedding, backend.ExportState());

        var probabilities = new float[6];
        backend.Predict(batch, probabilities);
        double[] logits = reference.Logits(batch);
        for (int b = 0; b < 6; b++) Assert.Equal(1 / (1 + Math.Exp(-logits[b])), probabilities[b], 1e-6);

        float loss = backend.ComputeGradients(batch);
        Assert.Equal(reference.Loss(batch), loss, 1e-6);

        foreach (var (name, values) in reference.Parameters)
        {
            double[] numeric = Enumerable.Range(0, values.Length).Select(i => reference.NumericGradient(batch, name, i)).ToArray();
            ReadOnlySpan<float> analytic = name == "embedding" ? backend.EmbeddingGrad : backend.DenseGrad(name);
            GradientAssert.Close(numeric, analytic, name);
        }
    }

    [Fact]
    public void QuotientRemainder_gradient_of_rows_read_once_is_the_product_rule()
    {
        // One sample: every quotient and remainder row is read once, so dL/dQ[q] = g * Rm[r] and dL/dRm[r] = g * Q[q]
        // exactly, with g = dL/dE from the double reference (numeric, per coordinate of E).
        TestModel model = TestModel.Tiny(storage: EmbeddingStorage.QuotientRemainder, slots: 13);
        using var backend = new CpuDlrmBackend(model, new ModelOptions { Seed = 3, MaxBatchSize = 1, Threads = 1 });
        Batch batch = TestBatches.Random(model.Declaration, rows: 1, seed: 12);
        var reference = new ReferenceDlrm(backend.Layout, model.Embedding, backend.ExportState());
        backend.ComputeGradients(batch);
        EmbeddingLayout layout = backend.Layout;
        foreach (int t in new[] { 0, 2 })
        {
            var (quotient, remainder) = ReferenceEmbeddingKernels.QuotientRemainderRows(layout, t, batch.Tokens[t]);
            double[] numeric = new double[2 * layout.Dim];
            for (int j = 0; j < layout.Dim; j++)
            {
                numeric[j] = reference.NumericGradient(batch, "embedding", (int)quotient + j);
                numeric[layout.Dim + j] = reference.NumericGradient(batch, "embedding", (int)remainder + j);
            }
            float[] analytic = [.. backend.EmbeddingGrad.Slice((int)quotient, layout.Dim), .. backend.EmbeddingGrad.Slice((int)remainder, layout.Dim)];
            GradientAssert.Close(numeric, analytic, $"table {t}");
            Assert.Contains(analytic, g => g != 0);
        }
    }

    [Fact]
    public void Colliding_slots_receive_the_sum_of_every_read()
    {
        // Two tables whose tokens land on overlapping slots of a 5-slot array: dL/dM[s] sums every read of s.
        TestModel model = TestModel.Tiny(slots: 5, blockSize: 2);
        using var backend = new CpuDlrmBackend(model, new ModelOptions { MaxBatchSize = 4 });
        Batch batch = TestBatches.Random(model.Declaration, rows: 4, seed: 3);
        var layout = backend.Layout;
        var reads = new Dictionary<long, int>();
        for (int b = 0; b < 4; b++)
            for (int t = 0; t < layout.TableCount; t++)
                for (int j = 0; j < layout.Dim; j++)
                {
                    long slot = model.Embedding.SlotOf(layout, t, batch.Tokens[b * layout.TableCount + t], j).Slot;
                    reads[slot] = reads.GetValueOrDefault(slot) + 1;
                }
        Assert.Contains(reads.Values, n => n >= 3);

        backend.ComputeGradients(batch);
        var reference = new ReferenceDlrm(layout, model.Embedding, backend.ExportState());
        double[] numeric = Enumerable.Range(0, 5).Select(s => reference.NumericGradient(batch, "embedding", s)).ToArray();
        GradientAssert.Close(numeric, backend.EmbeddingGrad, "embedding");
        foreach (long unread in Enumerable.Range(0, 5).Where(s => !reads.ContainsKey(s)))
            Assert.Equal(0f, backend.EmbeddingGrad[(int)unread]);
    }
}
