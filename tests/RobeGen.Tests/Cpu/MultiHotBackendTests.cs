using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Data;
using RobeGen.Lab.Equivalence;
using RobeGen.Tests.Models;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

/// <summary>The CPU backend on multi-hot batches: predictions, loss and every gradient against the float64 reference
/// (bags pooled by sum and mean, empty bags, repeated ids), training steps, and batches of the wrong kind refused.</summary>
public sealed class MultiHotBackendTests
{
    public static TheoryData<string, bool> Models => new()
    {
        { nameof(MultiHotAuthors), false },
        { nameof(MultiHotSigned), false },
        { nameof(MultiHotCircular), false },
        { nameof(MultiHotAuthors), true }, // a run-time Z: the generic bag loops
    };

    private static IDlrmDefinition Definition(string name) => name switch
    {
        nameof(MultiHotAuthors) => MultiHotAuthors.Definition,
        nameof(MultiHotSigned) => MultiHotSigned.Definition,
        _ => MultiHotCircular.Definition,
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_gradient_matches_central_differences_of_the_double_reference(string name, bool generic)
    {
        IDlrmDefinition model = Definition(name);
        var options = new ModelOptions
        {
            Seed = 5,
            MaxBatchSize = 16,
            Threads = 2,
            Embedding = generic ? new EmbeddingOverrides { BlockSize = 3 } : EmbeddingOverrides.None,
        };
        using var backend = new CpuDlrmBackend(model, options);
        Assert.Equal(generic, !backend.Layout.MatchesDeclaredKernels);
        Batch batch = TestBatches.RandomBags(model.Declaration, rows: 6, seed: 9);
        Assert.Contains(Enumerable.Range(0, 6 * batch.Tables), c => batch.BagOffsets[c + 1] == batch.BagOffsets[c]); // an empty bag
        var reference = new ReferenceDlrm(backend.Layout, model.Embedding, backend.ExportState());

        var probabilities = new float[6];
        backend.Predict(batch, probabilities);
        double[] logits = reference.Logits(batch);
        for (int b = 0; b < 6; b++) Assert.Equal(1 / (1 + Math.Exp(-logits[b])), probabilities[b], 1e-6);

        float loss = backend.ComputeGradients(batch);
        Assert.Equal(reference.Loss(batch), loss, 1e-6);
        foreach (var (parameter, values) in reference.Parameters)
        {
            double[] numeric = Enumerable.Range(0, values.Length).Select(i => reference.NumericGradient(batch, parameter, i)).ToArray();
            ReadOnlySpan<float> analytic = parameter == "embedding" ? backend.EmbeddingGrad : backend.DenseGrad(parameter);
            GradientAssert.Close(numeric, analytic, parameter);
        }
        // The optimizer step walks every id's records and leaves the gradient zero.
        backend.ApplyUpdate(batch.Count, 0.1f);
        Assert.All(backend.EmbeddingGrad.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Training_steps_lower_the_loss_of_a_repeated_batch()
    {
        using var backend = new CpuDlrmBackend(MultiHotAuthors.Definition, new ModelOptions { Seed = 1, MaxBatchSize = 64, Threads = 2 });
        Batch batch = TestBatches.RandomBags(MultiHotAuthors.Declaration, rows: 64, seed: 4);
        float first = backend.TrainStep(batch, 0.05f);
        float last = first;
        for (int i = 0; i < 30; i++) last = backend.TrainStep(batch, 0.05f);
        Assert.True(last < first * 0.9f, $"loss {first} -> {last}");
    }

    [Fact]
    public void A_batch_with_more_ids_than_any_before_grows_the_records()
    {
        using var backend = new CpuDlrmBackend(MultiHotCircular.Definition, new ModelOptions { Seed = 1, MaxBatchSize = 4, Threads = 1 });
        var batch = new Batch(4, 1, 2, multiHot: true) { Count = 4 };
        // 4 rows x 2 tables x 40 ids: far more than the 8 records a single-hot batch of 4 rows needs.
        batch.EnsureIdCapacity(320);
        for (int c = 0; c < 8; c++) batch.BagOffsets[c + 1] = (c + 1) * 40;
        for (int i = 0; i < 320; i++) batch.BagIds[i] = (ulong)(i * 7 % 1000);
        var probabilities = new float[4];
        backend.Predict(batch, probabilities);
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        Assert.True(float.IsFinite(backend.TrainStep(batch, 0.1f)));
    }

    [Fact]
    public void A_batch_of_the_wrong_kind_is_refused()
    {
        using var multi = new CpuDlrmBackend(MultiHotAuthors.Definition, new ModelOptions { MaxBatchSize = 4, Threads = 1 });
        var tokens = new Batch(4, 3, 5) { Count = 2 };
        var error = Assert.Throws<ArgumentException>(() => multi.TrainStep(tokens, 0.1f));
        Assert.Contains("multi-hot tables (Tags (Sum), Genres (Mean), Items (Mean))", error.Message);

        using var single = new CpuDlrmBackend(SmallAuthors.Definition, new ModelOptions { MaxBatchSize = 4, Threads = 1 });
        var bagsForSmall = new Batch(4, 3, 4, multiHot: true) { Count = 1 };
        for (int c = 0; c < 4; c++) bagsForSmall.BagOffsets[c + 1] = c + 1;
        Assert.Contains("no multi-hot table", Assert.Throws<ArgumentException>(() => single.Predict(bagsForSmall, new float[4])).Message);

        // A single-hot table's cell must hold exactly one id.
        Batch twoUsers = TestBatches.RandomBags(MultiHotAuthors.Declaration, rows: 1, seed: 2);
        int userCount = twoUsers.BagOffsets[2] - twoUsers.BagOffsets[1];
        Assert.Equal(1, userCount);
        for (int c = 1; c <= 5; c++) twoUsers.BagOffsets[c] += c >= 2 ? 1 : 0;
        twoUsers.EnsureIdCapacity(twoUsers.BagOffsets[5]);
        Assert.Contains("table User holds 2 ids", Assert.Throws<ArgumentException>(() => multi.Predict(twoUsers, new float[1])).Message);
    }
}
