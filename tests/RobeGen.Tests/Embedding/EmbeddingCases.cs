using RobeGen.Models;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Embedding;

/// <summary>Models and run-time layouts the embedding tests run over, and random inputs for them.</summary>
internal static class EmbeddingCases
{
    public static IDlrmDefinition Model(string name) => name switch
    {
        nameof(SmallAuthors) => SmallAuthors.Definition,
        nameof(SmallCircular) => SmallCircular.Definition,
        nameof(SmallSigned) => SmallSigned.Definition,
        nameof(CriteoKaggle) => CriteoKaggle.Definition,
        nameof(CriteoTerabyte) => CriteoTerabyte.Definition,
        nameof(WideSigned) => WideSigned.Definition,
        nameof(SmallQr) => SmallQr.Definition,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown test model"),
    };

    /// <summary>Layouts by name: the declared one (generated kernels) and run-time changes (m alone: generated kernels;
    /// another Z or storage: generic kernels).</summary>
    public static EmbeddingLayout Layout(IDlrmDefinition model, string layout) => EmbeddingLayout.FromDeclaration(model.Declaration, Overrides(model, layout));

    /// <summary>The overrides of <see cref="Layout"/>.</summary>
    public static EmbeddingOverrides Overrides(IDlrmDefinition model, string layout) => layout switch
    {
        "declared" => EmbeddingOverrides.None,
        "z=1" => new EmbeddingOverrides { BlockSize = 1 },
        "z=3" => new EmbeddingOverrides { BlockSize = 3 },
        "z=d" => new EmbeddingOverrides { BlockSize = model.Declaration.EmbeddingDim },
        "m=z" => new EmbeddingOverrides { RobeSlots = model.Declaration.BlockSize },
        "all-robe" => new EmbeddingOverrides { Storage = EmbeddingStorage.Robe, RobeSlots = 1009 },
        "all-hashed" => new EmbeddingOverrides { Storage = EmbeddingStorage.Hashed, HashedCompression = 100 },
        "one-hashed" => new EmbeddingOverrides { TableStorage = [EmbeddingStorage.Hashed], HashedCompression = 10 },
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown layout"),
    };

    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (string model in new[] { nameof(SmallAuthors), nameof(SmallCircular), nameof(SmallSigned) })
            foreach (string layout in new[] { "declared", "z=1", "z=3", "z=d", "m=z", "all-robe", "all-hashed" })
                data.Add(model, layout);
        data.Add(nameof(CriteoKaggle), "declared");
        data.Add(nameof(CriteoKaggle), "z=3");
        // The MLPerf shape (d = 128, Z = 32: one block per 32-lane step) with a small m; and the 32-lane partial-step model.
        data.Add(nameof(CriteoTerabyte), "all-robe");
        foreach (string layout in new[] { "declared", "z=1", "z=3", "all-hashed" })
            data.Add(nameof(WideSigned), layout);
        return data;
    }

    /// <summary>Declared models of every storage (ROBE, Full, Hashed, QuotientRemainder), variant and lane shape.</summary>
    public static IEnumerable<string> DeclaredModels() =>
        new[] { nameof(SmallAuthors), nameof(SmallCircular), nameof(SmallSigned), nameof(SmallQr), nameof(WideSigned), nameof(CriteoKaggle) };

    /// <summary>Tokens valid for the layout: below the row count for Full tables, any 64-bit value otherwise
    /// (raw ids, the missing-id token and values that wrap xg included).</summary>
    public static ulong[] Tokens(EmbeddingLayout layout, int batch, int seed)
    {
        var rng = new Random(seed);
        var tokens = new ulong[batch * layout.TableCount];
        for (int s = 0; s < batch; s++)
            for (int t = 0; t < layout.TableCount; t++)
            {
                ulong token = layout.Storage[t] == EmbeddingStorage.Full
                    ? (ulong)rng.NextInt64(layout.Rows[t])
                    : (rng.Next(4)) switch
                    {
                        0 => (ulong)rng.Next(1000),
                        1 => EmbeddingTable.MissingRawToken,
                        2 => ulong.MaxValue - (ulong)rng.Next(1000),
                        _ => (ulong)rng.NextInt64() * 2 + (ulong)rng.Next(2),
                    };
                tokens[s * layout.TableCount + t] = token;
            }
        return tokens;
    }

    public static float[] Floats(long count, int seed)
    {
        var rng = new Random(seed);
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
        return values;
    }
}
