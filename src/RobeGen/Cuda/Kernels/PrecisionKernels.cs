using ILGPU;

namespace RobeGen.Cuda.Kernels;

/// <summary>
/// Where a weight's bf16 copy sits: [FanOut, PaddedFanIn] at <see cref="Bf16Offset"/> of the bf16 buffer, from the F32
/// master [FanOut, FanIn] at <see cref="MasterOffset"/>; columns past FanIn are zero.
/// </summary>
internal readonly record struct Bf16WeightSlot(long Bf16Offset, long MasterOffset, int FanOut, int FanIn, int PaddedFanIn)
{
    public long Bf16Length => (long)FanOut * PaddedFanIn;
}

/// <summary>Conversions between the F32 master tensors and the bf16 operands of the tensor-core GEMMs.</summary>
internal static class PrecisionKernels
{
    /// <summary>
    /// Every bf16 weight copy from its F32 master in one launch (after each optimizer update): thread i is element i of
    /// the bf16 buffer; it finds its slot in the small table (a few layers) and writes the rounded master value or a
    /// padding zero. Elements between slots (alignment gaps) are left alone.
    /// </summary>
    public static void CastWeights(Index1D i, ArrayView<Bf16WeightSlot> slots, ArrayView<float> master, ArrayView<ushort> bf16)
    {
        for (int s = 0; s < slots.IntLength; s++)
        {
            Bf16WeightSlot slot = slots[s];
            long local = i - slot.Bf16Offset;
            if (local < 0 || local >= slot.Bf16Length) continue;
            long row = local / slot.PaddedFanIn, col = local - row * slot.PaddedFanIn;
            bf16[i] = col < slot.FanIn ? Bf16.FromFloat(master[slot.MasterOffset + row * slot.FanIn + col]) : (ushort)0;
            return;
        }
    }
}
