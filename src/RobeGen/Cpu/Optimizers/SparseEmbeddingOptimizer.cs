using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using RobeGen.Backends;

namespace RobeGen.Cpu.Optimizers;

/// <summary>
/// Updates only the embedding slots the batch read: it walks the recorded block starts, updates each slot from its
/// accumulated gradient and zeroes that gradient right away, so a slot read many times is updated once (later visits
/// see a zero gradient, which changes neither the weight nor the Adagrad sum) and nothing of size m is swept per
/// step. The gradient array is therefore all zero between steps.
/// <para>
/// A call updates only the slots in [<c>first</c>, <c>end</c>): threads that own disjoint slot ranges can walk the
/// same records at once without ever touching the same slot, and each slot gets the same arithmetic as in one pass.
/// </para>
/// </summary>
internal static unsafe class SparseEmbeddingOptimizer
{
    /// <summary>Updates the slots the records of <paramref name="batch"/> samples name: one record per (sample, table) of a
    /// single-hot batch; one per id of a multi-hot batch (<paramref name="bagOffsets"/> non-empty: batch * T + 1 offsets,
    /// cell c's ids' records at bagOffsets[c] .. bagOffsets[c + 1]).</summary>
    public static void Update(EmbeddingLayout layout, ReadOnlySpan<long> blockStarts, int batch, OptimizerKind optimizer,
        Span<float> weights, Span<float> grad, Span<float> accumulator, float learningRate, long first, long end, ReadOnlySpan<int> bagOffsets = default)
    {
        int tables = layout.TableCount, maxBlocks = layout.MaxBlocks;
        bool adagrad = optimizer == OptimizerKind.Adagrad;
        if (grad.Length != weights.Length || (adagrad && accumulator.Length != weights.Length))
            throw new ArgumentException("Weights, gradient and accumulator lengths differ.");
        bool bags = !bagOffsets.IsEmpty;
        if (bags && bagOffsets.Length < batch * tables + 1) throw new ArgumentException("Too few bag offsets.", nameof(bagOffsets));
        long records = bags ? bagOffsets[batch * tables] : (long)batch * tables;
        if (blockStarts.Length < records * maxBlocks) throw new ArgumentException("Too few block starts.", nameof(blockStarts));
        if (first < 0 || end > weights.Length || first > end) throw new ArgumentOutOfRangeException(nameof(first), "Slot range outside the array.");

        fixed (float* w = weights, g = grad, sum = accumulator)
        fixed (long* starts = blockStarts)
        {
            var slots = new Slots(w, g, sum, weights.Length, learningRate, adagrad, first, end);
            var walk = new RecordWalk(layout);
            if (!bags)
            {
                for (int b = 0; b < batch; b++)
                    for (int t = 0; t < tables; t++)
                        walk.Update(slots, t, starts + (long)(b * tables + t) * maxBlocks);
                return;
            }
            for (int cell = 0; cell < batch * tables; cell++)
            {
                int t = cell % tables;
                for (int i = bagOffsets[cell]; i < bagOffsets[cell + 1]; i++)
                    walk.Update(slots, t, starts + (long)i * maxBlocks);
            }
        }
    }

    /// <summary>The slots one record (one lookup of one id) read, by its table's storage.</summary>
    private readonly struct RecordWalk(EmbeddingLayout layout)
    {
        private readonly EmbeddingLayout _layout = layout;
        private readonly int _dim = layout.Dim, _z = layout.BlockSize, _robeBlocks = layout.RobeBlocks;
        private readonly long _m = layout.RobeSlots;
        private readonly bool _circular = layout.Variant == RobeVariant.Circular;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Update(Slots slots, int t, long* record)
        {
            int dim = _dim;
            if (_layout.Storage[t] == EmbeddingStorage.QuotientRemainder)
            {
                // A QuotientRemainder pair read two rows: the quotient row (record 0) and the remainder row (record 1).
                slots.UpdateRange(record[0], dim);
                slots.UpdateRange(record[1], dim);
                return;
            }
            if (_layout.Storage[t] != EmbeddingStorage.Robe)
            {
                // A Full or Hashed row is one block of d slots.
                slots.UpdateRange(record[0], dim);
                return;
            }
            for (int c = 0; c < _robeBlocks; c++)
            {
                long start = record[c];
                int width = Math.Min(_z, dim - c * _z);
                if (_circular && start + width > _m)
                {
                    // The block wraps around the end of the array: two pieces.
                    int head = (int)(_m - start);
                    slots.UpdateRange(start, head);
                    slots.UpdateRange(0, width - head);
                }
                else
                {
                    slots.UpdateRange(start, width);
                }
            }
        }
    }

    /// <summary>The arrays of one update and the slot range it owns, with the per-slot rule.</summary>
    private readonly struct Slots(float* weights, float* grad, float* accumulator, int length, float learningRate, bool adagrad,
        long first, long end)
    {
        /// <summary>Updates the owned part of slots [start, start + width) and zeroes their gradient.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void UpdateRange(long start, int width)
        {
            if ((ulong)start > (ulong)(length - width)) throw new IndexOutOfRangeException($"Block [{start}, {start + width}) is outside the embedding array.");
            long lo = Math.Max(start, first), hi = Math.Min(start + width, end);
            if (lo >= hi) return;
            if (hi - lo == width) Update(start, width);
            else Update(lo, (int)(hi - lo));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Update(long start, int width)
        {
            float* w = weights + start, g = grad + start;
            int k = 0;
            if (!adagrad)
            {
                // SGD: w -= lr * g, four slots at a time (a ROBE block of Z = 4 in one step).
                var lr = Vector128.Create(learningRate);
                for (; k + 4 <= width; k += 4)
                {
                    Vector128<float> gk = Vector128.Load(g + k);
                    Vector128.Store(Vector128.Load(w + k) - lr * gk, w + k);
                    Vector128.Store(Vector128<float>.Zero, g + k);
                }
                for (; k < width; k++)
                {
                    w[k] -= learningRate * g[k];
                    g[k] = 0f;
                }
                return;
            }
            float* sum = accumulator + start;
            for (; k < width; k++)
            {
                DenseOptimizer.AdagradScalar(ref w[k], ref sum[k], g[k], learningRate);
                g[k] = 0f;
            }
        }
    }
}
