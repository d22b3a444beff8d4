using RobeGen.Backends;
using RobeGen.Initialization;
using RobeGen.Tests.TestModels;

namespace RobeGen.Tests.Cpu;

public sealed class InitializerTests
{
    [Fact]
    public void SplitMix64_matches_the_reference_sequence()
    {
        // Vigna's splitmix64.c: seed 1234567 gives these first outputs; seed 0 starts with 0xE220A8397B1DCDAF.
        var random = new SplitMix64(1234567);
        Assert.Equal(6457827717110365317UL, random.Next());
        Assert.Equal(3203168211198807973UL, random.Next());
        Assert.Equal(9817491932198370423UL, random.Next());
        Assert.Equal(4593380528125082431UL, random.Next());
        Assert.Equal(16408922859458223821UL, random.Next());
        Assert.Equal(0xE220A8397B1DCDAFUL, new SplitMix64(0).Next());
    }

    [Fact]
    public void Uniforms_and_normals_are_drawn_as_documented()
    {
        var raw = new SplitMix64(42);
        ulong a = raw.Next(), b = raw.Next(), c = raw.Next(), d = raw.Next();
        double u1 = (a >> 40) / 16777216.0, u2 = (b >> 40) / 16777216.0;
        double r = Math.Sqrt(-2 * Math.Log(1 - u1));

        var random = new SplitMix64(42);
        Assert.Equal(r * Math.Cos(2 * Math.PI * u2), random.NextNormal());
        Assert.Equal(r * Math.Sin(2 * Math.PI * u2), random.NextNormal());
        Assert.Equal(((c >> 40) / 16777216.0 * 2 - 1) * 0.5, random.NextUniform(0.5));
        Assert.Equal((d >> 40) / 16777216.0, random.NextUniform());
    }

    [Fact]
    public void State_has_the_documented_names_order_and_shapes()
    {
        TestModel model = TestModel.Tiny();
        var layout = EmbeddingLayout.FromDeclaration(model.Declaration);
        ModelState state = ModelInitializer.Create(layout, OptimizerKind.Adagrad, seed: 1);
        string[] parameters =
        [
            "bottom.0.weight", "bottom.0.bias", "bottom.1.weight", "bottom.1.bias",
            "top.0.weight", "top.0.bias", "top.1.weight", "top.1.bias", "embedding",
        ];
        Assert.Equal([.. parameters, .. parameters.Select(p => "adagrad." + p)], state.Tensors.Select(t => t.Key));
        // dense 3 -> 5 -> 4; top input 4 + 6 pairs = 10 -> 6 -> 1; embedding m = 11.
        int[] lengths = [15, 5, 20, 4, 60, 6, 6, 1, 11];
        Assert.Equal([.. lengths, .. lengths], state.Tensors.Select(t => t.Value.Length));
        Assert.All(state.Tensors.Skip(parameters.Length), t => Assert.All(t.Value, v => Assert.Equal(0f, v)));
        Assert.Equal(parameters, ModelInitializer.Create(layout, OptimizerKind.Sgd, 1).Tensors.Select(t => t.Key));
    }

    [Fact]
    public void Same_seed_gives_identical_bits_and_another_seed_differs()
    {
        var layout = EmbeddingLayout.FromDeclaration(TestModel.Tiny().Declaration);
        ModelState a = ModelInitializer.Create(layout, OptimizerKind.Sgd, 7), b = ModelInitializer.Create(layout, OptimizerKind.Sgd, 7);
        ModelState c = ModelInitializer.Create(layout, OptimizerKind.Sgd, 8);
        foreach (var (name, values) in a.Tensors)
        {
            Assert.Equal(values, b[name]);
            Assert.NotEqual(values, c[name]);
        }
    }

    [Fact]
    public void First_tensor_follows_the_stream_exactly()
    {
        var layout = EmbeddingLayout.FromDeclaration(TestModel.Tiny().Declaration);
        float[] weight = ModelInitializer.Create(layout, OptimizerKind.Sgd, 3)["bottom.0.weight"];
        var random = new SplitMix64(3);
        double std = Math.Sqrt(2.0 / (3 + 5));
        Assert.Equal(Enumerable.Range(0, 15).Select(_ => (float)(std * random.NextNormal())), weight);
    }

    [Fact]
    public void Distributions_have_the_documented_scales()
    {
        TestModel model = TestModel.Create(denseFeatures: 200, dim: 8, bottom: [300, 8], top: [4], slots: 100_000, blockSize: 2,
            tables: [new(400), new(2500), new(100, EmbeddingStorage.Full), new(50, EmbeddingStorage.Hashed, 10)]);
        var layout = EmbeddingLayout.FromDeclaration(model.Declaration);
        ModelState state = ModelInitializer.Create(layout, OptimizerKind.Sgd, 11);

        float[] w = state["bottom.0.weight"];
        Assert.Equal(0, w.Average(), 0.01);
        Assert.Equal(Math.Sqrt(2.0 / 500), StdDev(w), 0.002);
        Assert.Equal(Math.Sqrt(1.0 / 300), StdDev(state["bottom.0.bias"]), 0.01);

        float[] embedding = state["embedding"];
        // ROBE part: U(-b, b), b = sqrt(1 / 2500) (largest cardinality); std of a uniform is b / sqrt(3).
        double robeBound = Math.Sqrt(1.0 / 2500);
        var robe = embedding.AsSpan(0, 100_000).ToArray();
        Assert.All(robe, v => Assert.InRange(v, -robeBound, robeBound));
        Assert.Equal(robeBound / Math.Sqrt(3), StdDev(robe), 0.0005);
        Assert.True(robe.Max() > 0.99 * robeBound && robe.Min() < -0.99 * robeBound);
        // The Full table's 100 rows follow with b = sqrt(1 / 100), then the Hashed table's 10 rows with b = sqrt(1 / 10).
        var full = embedding.AsSpan((int)layout.TableBase[2], 800).ToArray();
        Assert.All(full, v => Assert.InRange(v, -0.1, 0.1));
        Assert.True(full.Max() > 0.09);
        var hashed = embedding.AsSpan((int)layout.TableBase[3], 80).ToArray();
        Assert.All(hashed, v => Assert.InRange(v, -Math.Sqrt(0.1), Math.Sqrt(0.1)));
        Assert.True(hashed.Max() > 0.2);
    }

    private static double StdDev(IReadOnlyCollection<float> values)
    {
        double mean = values.Average(v => (double)v);
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }
}
