using ILGPU;
using ILGPU.Runtime;

namespace RobeGen.Tests.Cuda.TestModels;

/// <summary>Compile-time constants of a reference kernel (the generator folds them the same way).</summary>
internal interface IKernelConstants
{
    int Dim { get; }
    RobeVariant Variant { get; }
}

/// <summary>
/// Generic ILGPU kernels of the reference definition: one thread per (sample, table, block) (extra threads idle), the reference hash, raw
/// tokens with table offsets t * 2^33. Dimension and variant are type parameters (ILGPU kernels cannot capture).
/// </summary>
internal sealed class ReferenceGpuEmbedding : IGpuEmbeddingKernels
{
    private readonly Type _constants;

    public ReferenceGpuEmbedding(ModelDeclaration declaration)
    {
        if (declaration.Tokens != TokenKind.RawId) throw new NotSupportedException("The reference kernels take raw tokens only.");
        _constants = Constants(declaration.EmbeddingDim, declaration.Variant);
        ThreadsPerLookup = declaration.EmbeddingDim; // one per coordinate: the block threads need at most that many
    }

    public int ThreadsPerLookup { get; }

    public Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>> LoadGather(Accelerator accelerator)
    {
        var method = typeof(ReferenceGpuEmbedding).GetMethod(nameof(GatherKernel))!.MakeGenericMethod(_constants);
        var kernel = method.CreateDelegate<Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>>>();
        return accelerator.LoadAutoGroupedStreamKernel(kernel);
    }

    public Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>, ArrayView<float>> LoadScatterAtomic(Accelerator accelerator)
    {
        var method = typeof(ReferenceGpuEmbedding).GetMethod(nameof(ScatterAtomicKernel))!.MakeGenericMethod(_constants);
        var kernel = method.CreateDelegate<Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>, ArrayView<float>>>();
        return accelerator.LoadAutoGroupedStreamKernel(kernel);
    }

    public static void GatherKernel<TConstants>(Index1D i, GpuEmbeddingArgs args, GpuTableViews tables, ArrayView<float> weights,
        ArrayView<ulong> tokens, ArrayView<long> blockStarts, ArrayView<float> output) where TConstants : struct, IKernelConstants
    {
        int d = default(TConstants).Dim;
        if (!Locate<TConstants>(i, args, tables, tokens, out int sampleTable, out int first, out int count, out long start, out ulong xg)) return;
        blockStarts[i] = start;
        if (start < 0)
        {
            // A Full table's token out of range: the generator's convention is zeros and start -1.
            for (int j = 0; j < d; j++) output[(long)sampleTable * d + j] = 0f;
            return;
        }
        for (int j = first; j < first + count; j++)
            output[(long)sampleTable * d + j] = SignOf<TConstants>(tables, sampleTable, xg, j) * weights[SlotAt<TConstants>(args, start, j - first)];
    }

    public static void ScatterAtomicKernel<TConstants>(Index1D i, GpuEmbeddingArgs args, GpuTableViews tables, ArrayView<float> weights, ArrayView<ulong> tokens,
        ArrayView<long> blockStarts, ArrayView<float> gradOutput, ArrayView<float> gradWeights) where TConstants : struct, IKernelConstants
    {
        int d = default(TConstants).Dim;
        if (!Locate<TConstants>(i, args, tables, tokens, out int sampleTable, out int first, out int count, out _, out ulong xg)) return;
        long start = blockStarts[i];
        if (start < 0) return;
        for (int j = first; j < first + count; j++)
            Atomic.Add(ref gradWeights[SlotAt<TConstants>(args, start, j - first)],
                SignOf<TConstants>(tables, sampleTable, xg, j) * gradOutput[(long)sampleTable * d + j]);
    }

    /// <summary>Which coordinates thread i owns and where its block starts; false for unused block records.</summary>
    private static bool Locate<TConstants>(int i, GpuEmbeddingArgs args, GpuTableViews tables, ArrayView<ulong> tokens,
        out int sampleTable, out int first, out int count, out long start, out ulong xg) where TConstants : struct, IKernelConstants
    {
        int d = default(TConstants).Dim;
        int block = i % args.MaxBlocks;
        sampleTable = i / args.MaxBlocks;
        first = 0; count = 0; start = 0; xg = 0;
        // Launched with one thread per coordinate (the contract); this reference needs only one per block record.
        if (sampleTable >= args.Batch * (int)tables.Storage.Length) return false;
        int table = sampleTable % (int)tables.Storage.Length;
        ulong token = tokens[sampleTable];
        xg = token + ((ulong)table << EmbeddingTable.RawTokenTableShift);
        int storage = tables.Storage[table];
        if (storage == (int)EmbeddingStorage.Robe)
        {
            first = block * args.BlockSize;
            if (first >= d) return false;
            count = first + args.BlockSize > d ? d - first : args.BlockSize;
            start = ReferenceRobe.BlockStart(xg, block, args.RobeSlots, args.BlockSize, default(TConstants).Variant == RobeVariant.Circular);
            return true;
        }
        if (block != 0) return false;
        if (storage == (int)EmbeddingStorage.Full && token >= (ulong)tables.Rows[table]) { start = -1; return true; }
        ulong row = storage == (int)EmbeddingStorage.Full ? token : token % (ulong)tables.Rows[table];
        count = d;
        start = tables.TableBase[table] + (long)row * d;
        return true;
    }

    private static long SlotAt<TConstants>(GpuEmbeddingArgs args, long start, int offset) where TConstants : struct, IKernelConstants
    {
        long slot = start + offset;
        return default(TConstants).Variant == RobeVariant.Circular && slot >= args.RobeSlots ? slot - args.RobeSlots : slot;
    }

    private static float SignOf<TConstants>(GpuTableViews tables, int sampleTable, ulong xg, int j) where TConstants : struct, IKernelConstants =>
        default(TConstants).Variant == RobeVariant.Signed && tables.Storage[sampleTable % (int)tables.Storage.Length] == (int)EmbeddingStorage.Robe
            ? ReferenceRobe.Sign(xg, j) : 1f;

    private static Type Constants(int dim, RobeVariant variant) => (dim, variant) switch
    {
        (4, RobeVariant.Authors) => typeof(Dim4Authors),
        (4, RobeVariant.Circular) => typeof(Dim4Circular),
        (4, RobeVariant.Signed) => typeof(Dim4Signed),
        (5, RobeVariant.Authors) => typeof(Dim5Authors),
        (16, RobeVariant.Authors) => typeof(Dim16Authors),
        _ => throw new NotSupportedException($"Add a constants struct for dim {dim}, variant {variant}."),
    };

    internal struct Dim4Authors : IKernelConstants { public readonly int Dim => 4; public readonly RobeVariant Variant => RobeVariant.Authors; }
    internal struct Dim4Circular : IKernelConstants { public readonly int Dim => 4; public readonly RobeVariant Variant => RobeVariant.Circular; }
    internal struct Dim4Signed : IKernelConstants { public readonly int Dim => 4; public readonly RobeVariant Variant => RobeVariant.Signed; }
    internal struct Dim5Authors : IKernelConstants { public readonly int Dim => 5; public readonly RobeVariant Variant => RobeVariant.Authors; }
    internal struct Dim16Authors : IKernelConstants { public readonly int Dim => 16; public readonly RobeVariant Variant => RobeVariant.Authors; }
}
