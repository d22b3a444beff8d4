using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace RobeGen;

/// <summary>The CPU block moves of the ROBE loops (generated and generic): vectorized adds and the Circular variant's
/// blocks that run past the array's end.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BlockCopy
{
    /// <summary>target += source (vectorized).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddInto(ReadOnlySpan<float> source, Span<float> target) => TensorPrimitives.Add(target, source, target);

    /// <summary>A block that runs past the array's end: slot (start + k) mod m.</summary>
    public static void CopyWrapped(ReadOnlySpan<float> weights, long start, long slots, Span<float> destination)
    {
        for (int k = 0; k < destination.Length; k++) destination[k] = weights[(int)RobeHash.Wrap(start + k, slots)];
    }

    /// <summary>Adds a block's gradient that runs past the array's end: slot (start + k) mod m.</summary>
    public static void AddWrapped(ReadOnlySpan<float> gradient, Span<float> gradWeights, long start, long slots)
    {
        for (int k = 0; k < gradient.Length; k++) gradWeights[(int)RobeHash.Wrap(start + k, slots)] += gradient[k];
    }
}
