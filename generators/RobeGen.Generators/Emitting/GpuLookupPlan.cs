using RobeGen.Generators.Model;

namespace RobeGen.Generators.Emitting;

/// <summary>
/// How the generated ILGPU kernels spread one (sample, table) lookup over threads: <see cref="Lanes"/> lanes, lane l
/// moving coordinates l + Lanes * step for step = 0 .. <see cref="Steps"/> - 1 (unrolled), so each instruction of a warp
/// touches consecutive floats.
/// </summary>
internal readonly struct GpuLookupPlan
{
    /// <summary>The warp size the plan is laid out for (CUDA's).</summary>
    public const int WarpSize = 32;

    public GpuLookupPlan(DlrmModel model)
    {
        int lanes = 1;
        while (lanes * 2 <= System.Math.Min(WarpSize, model.EmbeddingDim)) lanes *= 2;
        Lanes = lanes;
        Steps = (model.EmbeddingDim + lanes - 1) / lanes;
        TailLanes = model.EmbeddingDim - lanes * (Steps - 1);
        Blocks = model.RobeBlocks;
    }

    /// <summary>Threads per lookup: the largest power of two up to min(32, d), so a lookup never straddles a warp.</summary>
    public int Lanes { get; }

    /// <summary>Coordinates per lane: ceil(d / Lanes).</summary>
    public int Steps { get; }

    /// <summary>Lanes that have a coordinate in the last step (Lanes unless Lanes does not divide d).</summary>
    public int TailLanes { get; }

    /// <summary>ROBE blocks per embedding with the declared Z: ceil(d / Z).</summary>
    public int Blocks { get; }

    /// <summary>Whether <paramref name="step"/> is a last step that only some lanes have.</summary>
    public bool IsPartial(int step) => step == Steps - 1 && TailLanes < Lanes;
}
