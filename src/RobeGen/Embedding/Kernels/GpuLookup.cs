using System.ComponentModel;
using ILGPU;

namespace RobeGen;

/// <summary>
/// The (sample, table) lookup and the lane an embedding-kernel thread serves, and where the lookup's block-start
/// records and embedding are: the thread layout that every gather and scatter kernel shares, generated or generic.
/// <c>lanes</c> consecutive threads serve one lookup (pair = sample * T + table); the embedding sits at
/// sample * OutputStride + OutputOffset + table * d. Kernel-safe (ILGPU inlines it; with the generated kernels' constant
/// lanes, T and d the divisions become multiplications).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct GpuLookup
{
    /// <summary>The lookup a kernel thread works on.</summary>
    public GpuLookup(Index1D index, int lanes, int tableCount, int dim, GpuEmbeddingArgs args)
    {
        Pair = index.X / lanes;
        Lane = index.X - Pair * lanes;
        int sample = Pair / tableCount;
        Table = Pair - sample * tableCount;
        Active = sample < args.Batch;
        RecordBase = (long)Pair * args.MaxBlocks;
        OutputBase = sample * args.OutputStride + args.OutputOffset + Table * dim;
    }

    /// <summary>sample * T + table: the index of the lookup's token.</summary>
    public readonly int Pair;
    /// <summary>The thread's place among the lookup's lanes.</summary>
    public readonly int Lane;
    /// <summary>The table of this lookup.</summary>
    public readonly int Table;
    /// <summary>False for the threads past the batch (an extent may be larger than batch * T * lanes).</summary>
    public readonly bool Active;
    /// <summary>The lookup's first block-start record (MaxBlocks per lookup).</summary>
    public readonly long RecordBase;
    /// <summary>The lookup's first coordinate in the gather's output and the scatter's dL/dE.</summary>
    public readonly int OutputBase;
}
