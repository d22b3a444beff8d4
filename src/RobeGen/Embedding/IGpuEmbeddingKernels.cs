using ILGPU;
using ILGPU.Runtime;

namespace RobeGen;

/// <summary>
/// Scalar run-time layout passed to the ILGPU embedding kernels (per-table arrays travel as views).
/// </summary>
public struct GpuEmbeddingArgs
{
    /// <summary>Samples in the batch.</summary>
    public int Batch;
    /// <summary>Slot count m of the ROBE array.</summary>
    public long RobeSlots;
    /// <summary>Block size Z of this run (the generic kernels read it; the generated ones have the declared Z built in).</summary>
    public int BlockSize;
    /// <summary>Stride of block-start records per (sample, table).</summary>
    public int MaxBlocks;
    /// <summary>Floats from one sample's embeddings to the next in the gather's output (and the scatter's dL/dE): the
    /// embedding of (sample, table) is at sample * OutputStride + OutputOffset + table * d. T * d when dense.</summary>
    public int OutputStride;
    /// <summary>Floats before a sample's first embedding (0 when dense); lets the gather write into a wider row, such as
    /// the interaction's input [rows, T + 1, d] after the bottom MLP's output (offset d).</summary>
    public int OutputOffset;
    /// <summary>1 when no scatter reads this batch's block starts (predictions): the gathers then skip writing them,
    /// which at inference is pure overhead (a multi-hot batch records ceil(d / Z) starts per id). 0, the default, records
    /// them, as a training step needs.</summary>
    public int ForwardOnly;

    /// <summary>The arguments of <paramref name="batch"/> samples with dense [batch, T, d] embeddings.</summary>
    public static GpuEmbeddingArgs For(EmbeddingLayout layout, int batch) => new()
    {
        Batch = batch,
        RobeSlots = layout.RobeSlots,
        BlockSize = layout.BlockSize,
        MaxBlocks = layout.MaxBlocks,
        OutputStride = layout.TableCount * layout.Dim,
        OutputOffset = 0,
    };
}

/// <summary>Per-table layout arrays on the device (EmbeddingLayout's arrays): storage kind (as int), rows (R of a
/// QuotientRemainder table), quotient rows (Q of a QuotientRemainder table, else 0), base offset, and the token offset
/// of the declaration's table (xg = token + offset; the generic kernels read it, the generated ones have it built in).</summary>
public readonly struct GpuTableViews
{
    /// <summary>The per-table arrays, already on the device (no pooling: single-hot kernels only).</summary>
    public GpuTableViews(ArrayView<int> storage, ArrayView<long> rows, ArrayView<long> quotientRows, ArrayView<long> tableBase, ArrayView<ulong> tokenOffsets)
    {
        Storage = storage; Rows = rows; QuotientRows = quotientRows; TableBase = tableBase; TokenOffsets = tokenOffsets;
    }

    /// <summary>The per-table arrays with each table's pooling (<see cref="RobeGen.Pooling"/> as int), which the generic
    /// bag kernels read.</summary>
    public GpuTableViews(ArrayView<int> storage, ArrayView<long> rows, ArrayView<long> quotientRows, ArrayView<long> tableBase, ArrayView<ulong> tokenOffsets,
        ArrayView<int> pooling)
        : this(storage, rows, quotientRows, tableBase, tokenOffsets) => Pooling = pooling;
    /// <summary>Storage of each table (EmbeddingStorage as int).</summary>
    public readonly ArrayView<int> Storage;
    /// <summary>Rows of each Full or Hashed table, remainder rows of a QuotientRemainder table.</summary>
    public readonly ArrayView<long> Rows;
    /// <summary>Quotient rows of each QuotientRemainder table.</summary>
    public readonly ArrayView<long> QuotientRows;
    /// <summary>Where each row-based table starts in the flat embedding array.</summary>
    public readonly ArrayView<long> TableBase;
    /// <summary>Each table's token offset (xg = token + offset).</summary>
    public readonly ArrayView<ulong> TokenOffsets;
    /// <summary>Each table's pooling (Pooling as int; empty when the views were made without it).</summary>
    public readonly ArrayView<int> Pooling;
}

/// <summary>
/// ILGPU embedding kernels. Each loader compiles the kernel for the accelerator (once; keep the returned delegate).
/// Shapes as in <see cref="IEmbeddingKernels"/>, except that the embeddings may sit in wider rows
/// (<see cref="GpuEmbeddingArgs.OutputStride"/>). A declaration's generated kernels serve the layouts of
/// <see cref="EmbeddingLayout.MatchesDeclaredKernels"/> only (its storage and Z are built in); the backends take the
/// generic kernels for any other layout.
/// </summary>
public interface IGpuEmbeddingKernels
{
    /// <summary>Threads the gather and the scatter take per (sample, table) lookup: launch both with extent
    /// batch * tables * ThreadsPerLookup (the generated kernels: up to 32 lanes, each moving several coordinates).</summary>
    int ThreadsPerLookup { get; }

    /// <summary>Gather: reads the embedding of every (sample, table) and records its block starts (unless
    /// <see cref="GpuEmbeddingArgs.ForwardOnly"/>). Launch with extent
    /// batch * tables * <see cref="ThreadsPerLookup"/> (a larger extent is allowed: the extra threads idle).</summary>
    Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>>
        LoadGather(Accelerator accelerator);

    /// <summary>Gradient scatter with float atomics: adds every coordinate's gradient at the slot the gather recorded. Arguments: args,
    /// tables, weights, tokens, block starts, dL/dE, dL/dweights. The weights are read only for QuotientRemainder tables (the product
    /// rule: dQ = g * Rm, dRm = g * Q) and must be the values the gather read, so dL/dweights must not be the weights there. Same
    /// extent as the gather.</summary>
    Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>, ArrayView<float>>
        LoadScatterAtomic(Accelerator accelerator);

    /// <summary>
    /// The bag gather of a multi-hot batch: arguments args, tables, weights, bag offsets ([batch * T + 1], cell c's ids are
    /// bagIds[offsets[c] .. offsets[c + 1])), bag ids, block starts ([ids, MaxBlocks], indexed like the ids; not written when
    /// <see cref="GpuEmbeddingArgs.ForwardOnly"/>), output. The
    /// cell's embedding is the sum of its ids' embeddings (divided by the count for Mean; zeros for an empty bag), written
    /// where <see cref="LoadGather"/> writes a lookup's. Same extent as <see cref="LoadGather"/>: one lookup per cell.
    /// </summary>
    Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<int>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>>
        LoadGatherBags(Accelerator accelerator) =>
        throw new NotSupportedException($"{GetType().Name} has no bag kernels for multi-hot batches.");

    /// <summary>The bag gradient scatter with float atomics: every id of a cell adds the cell's dL/dE (Sum) or dL/dE / count
    /// (Mean) at its recorded slots. Arguments as <see cref="LoadGatherBags"/>, then dL/dE and dL/dweights.</summary>
    Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<int>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>, ArrayView<float>>
        LoadScatterBagsAtomic(Accelerator accelerator) =>
        throw new NotSupportedException($"{GetType().Name} has no bag kernels for multi-hot batches.");
}
