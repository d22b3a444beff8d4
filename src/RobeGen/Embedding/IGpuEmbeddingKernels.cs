using ILGPU;
using ILGPU.Runtime;

namespace RobeGen;

/// <summary>
/// Scalar run-time layout passed to the generated ILGPU kernels (per-table arrays travel as views).
/// </summary>
public struct GpuEmbeddingArgs
{
    /// <summary>Samples in the batch.</summary>
    public int Batch;
    /// <summary>Slot count m of the ROBE array.</summary>
    public long RobeSlots;
    /// <summary>Block size Z of this run (the kernels take their unrolled path when it is the declared one).</summary>
    public int BlockSize;
    /// <summary>Stride of block-start records per (sample, table).</summary>
    public int MaxBlocks;

    public static GpuEmbeddingArgs For(EmbeddingLayout layout, int batch) => new()
    {
        Batch = batch,
        RobeSlots = layout.RobeSlots,
        BlockSize = layout.BlockSize,
        MaxBlocks = layout.MaxBlocks,
    };
}

/// <summary>Per-table layout arrays on the device: storage kind (as int), rows (R of a QuotientRemainder table), quotient
/// rows (Q of a QuotientRemainder table, else 0) and base offset of every table (EmbeddingLayout's arrays).</summary>
public readonly struct GpuTableViews
{
    public GpuTableViews(ArrayView<int> storage, ArrayView<long> rows, ArrayView<long> quotientRows, ArrayView<long> tableBase)
    {
        Storage = storage; Rows = rows; QuotientRows = quotientRows; TableBase = tableBase;
    }
    public readonly ArrayView<int> Storage;
    public readonly ArrayView<long> Rows;
    public readonly ArrayView<long> QuotientRows;
    public readonly ArrayView<long> TableBase;
}

/// <summary>
/// Generated ILGPU kernels of one model. Each loader compiles the kernel for the accelerator (once; keep the
/// returned delegate). Shapes as in <see cref="IEmbeddingKernels"/>.
/// </summary>
public interface IGpuEmbeddingKernels
{
    /// <summary>Threads the gather and the scatter take per (sample, table) lookup: launch both with extent
    /// batch * tables * ThreadsPerLookup (the generated kernels: up to 32 lanes, each moving several coordinates).</summary>
    int ThreadsPerLookup { get; }

    /// <summary>Gather: reads the embedding of every (sample, table) and records its block starts. Launch with extent
    /// batch * tables * <see cref="ThreadsPerLookup"/> (a larger extent is allowed: the extra threads idle).</summary>
    Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>>
        LoadGather(Accelerator accelerator);

    /// <summary>Gradient scatter with float atomics: adds every coordinate's gradient at the slot the gather recorded. Arguments: args,
    /// tables, weights, tokens, block starts, dL/dE, dL/dweights. The weights are read only for QuotientRemainder tables (the product
    /// rule: dQ = g * Rm, dRm = g * Q) and must be the values the gather read, so dL/dweights must not be the weights there. Same
    /// extent as the gather.</summary>
    Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>, ArrayView<float>>
        LoadScatterAtomic(Accelerator accelerator);
}
