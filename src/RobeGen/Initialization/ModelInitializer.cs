using RobeGen.Backends;

namespace RobeGen.Initialization;

/// <summary>
/// Builds a model's initial state from its layout, optimizer and seed, exactly as docs/model-math.md says. Both
/// backends start from this state, so the same seed gives bit-identical parameters on the CPU and on CUDA; the CUDA
/// backend may instead draw the embedding in place on the device (<see cref="EmbeddingInit"/>, the same function).
/// </summary>
internal static class ModelInitializer
{
    /// <summary>
    /// Draws every MLP and cross tensor in ModelState order from one SplitMix64 stream seeded with
    /// <paramref name="seed"/>: MLP weights N(0, sqrt(2 / (fan_in + fan_out))), biases N(0, sqrt(1 / fan_out)). DcnV2
    /// cross matrices (V, U or W) are Xavier normal like the MLP weights, their biases zero (TorchRec's LowRankCrossNet /
    /// CrossNet). The embedding is counter-based (<see cref="EmbeddingInit"/>: element i a function of the seed and i),
    /// held in chunks of <paramref name="chunkLength"/> floats. Optimizer state starts at zero.
    /// </summary>
    /// <param name="includeEmbedding">False leaves out "embedding" and "adagrad.embedding" (the CUDA backend draws them on the device).</param>
    /// <param name="chunkLength">Floats per chunk of the embedding and its accumulator (tests pass small ones).</param>
    public static ModelState Create(EmbeddingLayout layout, OptimizerKind optimizer, int seed, bool includeEmbedding = true,
        int chunkLength = ChunkedFloats.MaxChunkLength)
    {
        var random = new SplitMix64(seed);
        var state = new ModelState();
        foreach (TensorSpec spec in ModelTensors.All(layout, optimizer))
        {
            bool adagrad = spec.Name.StartsWith(ModelTensors.AdagradPrefix, StringComparison.Ordinal);
            if (spec.Role == TensorRole.Embedding)
            {
                if (!includeEmbedding) continue;
                ChunkedFloats embedding = ChunkedFloats.Allocate(spec.Length, chunkLength);
                if (!adagrad) FillEmbedding(embedding, layout, seed);
                state.Add(spec.Name, embedding);
                continue;
            }
            var values = new float[spec.Length];
            if (!adagrad) Fill(values, spec, ref random);
            state.Add(spec.Name, values);
        }
        return state;
    }

    private static void Fill(float[] values, TensorSpec spec, ref SplitMix64 random)
    {
        switch (spec.Role)
        {
            case TensorRole.Weight:
                FillNormal(values, Math.Sqrt(2.0 / (spec.FanIn + spec.FanOut)), ref random);
                break;
            case TensorRole.Bias:
                FillNormal(values, Math.Sqrt(1.0 / spec.FanOut), ref random);
                break;
            case TensorRole.CrossBias:
                break; // zeros: TorchRec's CrossNet and LowRankCrossNet start every cross bias at 0
        }
    }

    private static void FillNormal(float[] values, double std, ref SplitMix64 random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(std * random.NextNormal());
    }

    /// <summary>Every region of <see cref="EmbeddingInit.Regions"/>, element by element, in parallel pieces (each element is independent).</summary>
    internal static void FillEmbedding(ChunkedFloats embedding, EmbeddingLayout layout, int seed)
    {
        const long ParallelFrom = 1L << 22;
        ulong key = EmbeddingInit.Key(seed);
        const int Piece = 1 << 16;
        var pieces = new List<(EmbeddingInitRegion Region, long Start, int Length)>();
        foreach (EmbeddingInitRegion region in EmbeddingInit.Regions(layout))
            for (long start = region.Start; start < region.Start + region.Length;)
            {
                // A piece never crosses a chunk boundary, so it is one span.
                long chunkEnd = (start / embedding.ChunkLength + 1) * embedding.ChunkLength;
                int length = (int)Math.Min(Math.Min(Piece, region.Start + region.Length - start), chunkEnd - start);
                pieces.Add((region, start, length));
                start += length;
            }
        void Draw((EmbeddingInitRegion Region, long Start, int Length) piece)
        {
            int chunk = (int)(piece.Start / embedding.ChunkLength);
            int offset = (int)(piece.Start - embedding.ChunkStart(chunk));
            EmbeddingInit.Fill(embedding.Chunks[chunk].AsSpan(offset, piece.Length), key, piece.Region, piece.Start);
        }
        // Small arrays on this thread; large ones (the Kaggle model's Full tables: 540M floats) on every core.
        if (embedding.Length < ParallelFrom) pieces.ForEach(Draw);
        else Parallel.ForEach(pieces, Draw);
    }
}
