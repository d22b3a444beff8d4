using System.Collections.Generic;
using RobeGen.Generators.Model;
using RobeGen.Generators.Robe;

namespace RobeGen.Generators.Emitting;

/// <summary>One block of the declared Z: which coordinates it covers and its folded hash term K_c.</summary>
internal readonly struct BlockPlan
{
    public BlockPlan(int index, int first, int width)
    {
        Index = index;
        First = first;
        Width = width;
    }

    public int Index { get; }
    /// <summary>First coordinate j of the block.</summary>
    public int First { get; }
    /// <summary>Coordinates in the block: Z, or fewer for a partial last block.</summary>
    public int Width { get; }
    /// <summary>K_c = (c * R2 + R1) mod P.</summary>
    public ulong Term => RobeConstants.BlockTerm(Index);

    /// <summary>The blocks of one embedding with the declared Z; the last is partial when Z does not divide d.</summary>
    public static IEnumerable<BlockPlan> For(DlrmModel model)
    {
        int z = model.BlockSize;
        for (int c = 0, first = 0; first < model.EmbeddingDim; c++, first += z)
            yield return new BlockPlan(c, first, System.Math.Min(z, model.EmbeddingDim - first));
    }
}
