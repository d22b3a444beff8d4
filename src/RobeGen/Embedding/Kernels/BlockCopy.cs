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

    /// <summary>Mean pooling of a bag of <paramref name="count"/> ids: the summed embedding divided by the count (nothing
    /// to do for an empty bag, zeros, or a bag of one).</summary>
    public static void DivideBy(Span<float> pooled, int count)
    {
        if (count > 1) TensorPrimitives.Divide(pooled, (float)count, pooled);
    }

    /// <summary>The gradient every id of a bag of <paramref name="count"/> ids receives: dL/dE itself (Sum, or a
    /// single-hot table's one id), or dL/dE / count (Mean; written into <paramref name="scratch"/>).</summary>
    public static ReadOnlySpan<float> PoolGradient(ReadOnlySpan<float> gradient, Pooling pooling, int count, Span<float> scratch)
    {
        if (pooling != Pooling.Mean || count <= 1) return gradient;
        TensorPrimitives.Divide(gradient, (float)count, scratch);
        return scratch;
    }

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
