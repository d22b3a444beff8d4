using System.Collections.Immutable;
using RobeGen.Backends;
using RobeGen.Cuda;

namespace RobeGen.Tests.Cuda.TestModels;

/// <summary>Hand-made declarations small enough for ILGPU's CPU accelerator; tiny ROBE arrays so slots collide.</summary>
internal static class TinyModels
{
    public static ModelDeclaration Declaration(
        RobeVariant variant = RobeVariant.Authors, int dim = 4, int blockSize = 2, long slots = 37, int tables = 3,
        EmbeddingStorage[]? storage = null, int dense = 3, int[]? bottom = null, int[]? top = null)
    {
        var tableList = Enumerable.Range(0, tables).Select(t => new EmbeddingTable(
            $"C{t + 1}", t, t, Cardinality: 5 + t, Storage: storage?[t] ?? EmbeddingStorage.Robe,
            Rows: (storage?[t] ?? EmbeddingStorage.Robe) == EmbeddingStorage.Hashed ? 3 : 0,
            TokenOffset: (ulong)t << EmbeddingTable.RawTokenTableShift)).ToImmutableArray();
        return new ModelDeclaration($"Tiny{variant}", dense, dim, (bottom ?? [8, dim]).ToImmutableArray(),
            (top ?? [6]).ToImmutableArray(), TokenKind.RawId, slots, blockSize, variant, tableList, $"tiny-{variant}-{dim}-{blockSize}-{slots}");
    }

    public static ReferenceDefinition Definition(ModelDeclaration declaration) => new(declaration);

    /// <summary>An initialized backend on <paramref name="device"/> holding every kind of tensor a state has: a ROBE, a Full
    /// and a Hashed table, the MLPs, and Adagrad's accumulators.</summary>
    public static CudaDlrmBackend EveryTensorKind(GpuDevice device, int seed)
    {
        ModelDeclaration declaration = Declaration(storage: [EmbeddingStorage.Robe, EmbeddingStorage.Full, EmbeddingStorage.Hashed]);
        var options = new ModelOptions { MaxBatchSize = 4, Optimizer = OptimizerKind.Adagrad, Seed = seed };
        return CudaDlrmBackend.CreateInitialized(Definition(declaration), options, device);
    }
}
