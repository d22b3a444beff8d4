using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace RobeGen.Synthetic;

/// <summary>
/// The token part of the structured teacher's logit (<see cref="SyntheticTeacher.Structured"/>): ids behave in groups,
/// as in real click logs, so a model that cannot give every id a private row loses little by sharing.
/// </summary>
/// <remarks>
/// For column c and token rank k (everything hashed from the seed; only the first <see cref="DefaultCachedRanks"/> ranks' clusters and latents are kept, as computed):
/// <list type="bullet">
/// <item>cluster g(c, k) in 0..K-1, drawn with P(g) proportional to 1 / (g + 1)^skew by the uniform
/// U = top 53 bits of Mix(Key(seed, Cluster, c) ^ k);</item>
/// <item>the cluster's latent u[c, g] in R^r, coordinate j = UnitVariance(Key(seed, ClusterLatent, (c K + g) r + j));</item>
/// <item>the id's own deviation e[c, k] in R^r, coordinate j = UnitVariance(Mix(Mix(Key(seed, IdLatent, c) ^ k) + j));</item>
/// <item>the id's latent v = sqrt(1 - noise) u[c, g] + sqrt(noise) e[c, k] (coordinates of variance 1);</item>
/// <item>rows are coherent: each row has a segment S (a cluster, drawn with the clusters' shares) and each token, with
/// probability Coherence, is drawn among the ids of cluster S (<see cref="Draw"/>), so the columns of a row agree;</item>
/// <item>a multi-hot cell pools its bag's latents as its table does: the mean (Mean) or the sum / sqrt(hotness) (Sum).</item>
/// </list>
/// Token part of the logit = sum over columns of TokenSignal &lt;beta_c, v_c&gt; / sqrt(r), beta_c coordinate
/// j = UnitVariance(Key(seed, Projection, c r + j)), plus, over the spec's interacting column pairs (a, b),
/// InteractionSignal &lt;v_a, v_b&gt; / sqrt(r): every term has the variance of the independent teacher's, so the two
/// teachers are equally hard for a model with a private row per id.
/// </remarks>
internal sealed class StructuredTeacher
{
    /// <summary>Most clusters per column (their latents are kept: 26 K r doubles).</summary>
    public const int MaxClusters = 1 << 14;
    /// <summary>Largest latent rank (a row's latents live on the stack).</summary>
    public const int MaxRank = 16;
    /// <summary>
    /// Ranks below this in every column have their cluster and latent worked out once, at construction: Zipf draws land
    /// there most of the time (about two thirds of a 40M-id column's at exponent 1.1, all of a small column's), and
    /// 26 x 4,096 latents of rank 4 (3.4 MB) stay in cache. They are the doubles the per-draw path computes, so the rows
    /// do not change.
    /// </summary>
    public const int DefaultCachedRanks = 4096;

    private readonly int _rank;
    private readonly double _clusterWeight, _idWeight, _tokenScale, _interactionScale;
    private readonly double[] _clusterCdf;
    private readonly double[] _clusterLatents;
    private readonly double[] _projections;
    private readonly ulong[] _clusterKeys = new ulong[SyntheticGenerator.TokenColumns];
    private readonly ulong[] _idKeys = new ulong[SyntheticGenerator.TokenColumns];
    private readonly (int A, int B)[] _pairs;
    private readonly double _coherence;
    private readonly int _maxTries;
    private readonly int _cachedRanks;
    /// <summary>[column, rank &lt; _cachedRanks]: the id's cluster, and its latent [.., r].</summary>
    private readonly int[] _cachedClusters;
    private readonly double[] _cachedLatents;

    public StructuredTeacher(SyntheticSpec spec, IEnumerable<(int A, int B)> pairs, int cachedRanks = DefaultCachedRanks)
    {
        ulong seed = unchecked((ulong)spec.Seed);
        int columns = SyntheticGenerator.TokenColumns, clusters = spec.Clusters;
        _rank = spec.LatentRank;
        _clusterWeight = Math.Sqrt(1 - spec.IdNoise);
        _idWeight = Math.Sqrt(spec.IdNoise);
        _tokenScale = spec.TokenSignal / Math.Sqrt(_rank);
        _interactionScale = spec.InteractionSignal / Math.Sqrt(_rank);
        _pairs = pairs.ToArray();
        _coherence = spec.Coherence;
        // A column may have no id in a small cluster (3 ids, 16 clusters): stop looking after this many draws.
        _maxTries = 8 * clusters;
        _clusterCdf = new double[clusters];
        double total = 0;
        for (int g = 0; g < clusters; g++) _clusterCdf[g] = total += Math.Pow(g + 1, -spec.ClusterSkew);
        for (int g = 0; g < clusters; g++) _clusterCdf[g] /= total;
        _clusterCdf[^1] = 1.0; // rounding must not leave a uniform above the last cluster
        _clusterLatents = new double[columns * clusters * _rank];
        for (int i = 0; i < _clusterLatents.Length; i++)
            _clusterLatents[i] = StreamHash.UnitVariance(StreamHash.Key(seed, (ulong)SyntheticStream.ClusterLatent, (ulong)i));
        _projections = new double[columns * _rank];
        for (int i = 0; i < _projections.Length; i++)
            _projections[i] = StreamHash.UnitVariance(StreamHash.Key(seed, (ulong)SyntheticStream.Projection, (ulong)i));
        for (int c = 0; c < columns; c++)
        {
            _clusterKeys[c] = StreamHash.Key(seed, (ulong)SyntheticStream.Cluster, (ulong)c);
            _idKeys[c] = StreamHash.Key(seed, (ulong)SyntheticStream.IdLatent, (ulong)c);
        }
        ArgumentOutOfRangeException.ThrowIfNegative(cachedRanks);
        _cachedRanks = cachedRanks;
        _cachedClusters = new int[columns * cachedRanks];
        _cachedLatents = new double[columns * cachedRanks * _rank];
        for (int c = 0; c < columns; c++)
            for (int k = 0; k < cachedRanks; k++)
            {
                int at = c * cachedRanks + k;
                _cachedClusters[at] = ClusterOf(ClusterUniform(c, k));
                IdLatent(c, k, _cachedClusters[at], _cachedLatents.AsSpan(at * _rank, _rank));
            }
    }

    /// <summary>Dimension r of a latent.</summary>
    public int Rank => _rank;

    /// <summary>The cluster of the token of rank <paramref name="rank"/> in <paramref name="column"/>.</summary>
    public int Cluster(int column, long rank) =>
        rank < _cachedRanks ? _cachedClusters[column * _cachedRanks + (int)rank] : ClusterOf(ClusterUniform(column, rank));

    /// <summary>The uniform that places the token of rank <paramref name="rank"/> in <paramref name="column"/> in a cluster.</summary>
    private double ClusterUniform(int column, long rank) => (StreamHash.Mix(_clusterKeys[column] ^ (ulong)rank) >> 11) * (1.0 / (1UL << 53));

    /// <summary>The clusters' cumulative shares of [0, 1) (cluster g's ends at [g]; the last is 1).</summary>
    internal ReadOnlySpan<double> CumulativeShares => _clusterCdf;

    /// <summary>The cluster whose share of [0, 1) holds <paramref name="u"/>.</summary>
    /// <remarks>
    /// Array.BinarySearch's answer (<see cref="SearchCluster"/>), found without a branch on the data: a binary search's
    /// turns are coin flips the processor guesses wrong half of the time, and every token past the cached ranks (a tenth
    /// of a row's, a third of a long bag's) comes here. When no cumulative share equals u, the search ends at the first
    /// one above u, which is the number of shares below u, as counted here; an exact tie (where the search's answer
    /// depends on its path) takes the search itself.
    /// </remarks>
    internal int ClusterOf(double u)
    {
        double[] cdf = _clusterCdf;
        int below = 0;
        for (int span = cdf.Length; span > 1;)
        {
            int half = span >> 1;
            // The first share not below u lies in [below, below + span]; halve that on the last share of the lower half.
            below = cdf[below + half - 1] < u ? below + half : below;
            span -= half;
        }
        if (cdf[below] < u) below++;
        return below < cdf.Length && cdf[below] == u ? SearchCluster(u) : below;
    }

    /// <summary>The cluster of <paramref name="u"/> by Array.BinarySearch's steps written out (the same index for every u,
    /// duplicates in the CDF included): the reference <see cref="ClusterOf"/> keeps to.</summary>
    internal int SearchCluster(double u)
    {
        double[] cdf = _clusterCdf;
        int lo = 0, hi = cdf.Length - 1;
        while (lo <= hi)
        {
            int i = lo + ((hi - lo) >> 1);
            double c = cdf[i];
            // Found exactly: u belongs to the next cluster.
            if (c == u) return Math.Min(i + 1, cdf.Length - 1);
            if (c < u) lo = i + 1;
            else hi = i - 1;
        }
        return lo; // not found: the first cumulative share above u
    }

    /// <summary>The row's segment (a cluster, drawn with the clusters' shares) from its random stream, or -1 without
    /// coherence (then nothing is drawn, and the row's features are the independent teacher's).</summary>
    public int Segment(ref RowRandom random)
    {
        return _coherence == 0 ? -1 : ClusterOf(random.NextUniform());
    }

    /// <summary>A token rank of <paramref name="column"/>: with probability Coherence one of the segment's ids (Zipf draws
    /// until one falls in the segment, so its frequencies within the segment stay Zipf; at most 8 K draws, the last one
    /// kept), otherwise any id. Drawing the segment with the clusters' shares keeps each id's overall frequency about Zipf.</summary>
    public long Draw(ref RowRandom random, ZipfSampler sampler, int column, int segment)
    {
        bool coherent = random.NextUniform() < _coherence;
        long rank = sampler.Sample(ref random);
        if (!coherent) return rank;
        for (int tries = 1; tries < _maxTries && Cluster(column, rank) != segment; tries++) rank = sampler.Sample(ref random);
        return rank;
    }

    /// <summary>
    /// Asks the cache for the latent of the token of rank <paramref name="rank"/> in <paramref name="column"/>, to be read by
    /// <see cref="AddLatent"/> a little later. The 3.4 MB of cached latents do not fit a core's own cache, and a row's draws
    /// land all over them: reading each latent right after its draw stalled a row on memory for about a fifth of its time
    /// (one core of an AMD EPYC).
    /// </summary>
    /// <remarks>Both ends of the latent are asked for: the array's data need not start on a cache line, so a latent of
    /// rank 4 (32 bytes) straddles two lines half of the time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(int column, long rank)
    {
        if (!Sse.IsSupported || rank >= _cachedRanks) return;
        int start = (column * _cachedRanks + (int)rank) * _rank;
        Sse.Prefetch0(Unsafe.AsPointer(ref _cachedLatents[start]));
        Sse.Prefetch0(Unsafe.AsPointer(ref _cachedLatents[start + _rank - 1]));
    }

    /// <summary>Adds <paramref name="scale"/> times the latent of the token of rank <paramref name="rank"/> in
    /// <paramref name="column"/> to <paramref name="cell"/> (r values).</summary>
    /// <remarks>Inlined: every token of a structured row comes here, and most hit the cache; the rare rank past it takes the
    /// call that holds the stack buffer (a stackalloc would keep this method from being inlined).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddLatent(int column, long rank, double scale, Span<double> cell)
    {
        if (rank >= _cachedRanks)
        {
            AddComputedLatent(column, rank, scale, cell);
            return;
        }
        ReadOnlySpan<double> cached = _cachedLatents.AsSpan((column * _cachedRanks + (int)rank) * _rank, _rank);
        for (int j = 0; j < cached.Length; j++) cell[j] += scale * cached[j];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddComputedLatent(int column, long rank, double scale, Span<double> cell)
    {
        Span<double> latent = stackalloc double[_rank];
        IdLatent(column, rank, ClusterOf(ClusterUniform(column, rank)), latent);
        for (int j = 0; j < _rank; j++) cell[j] += scale * latent[j];
    }

    /// <summary>The latent v of the token of rank <paramref name="rank"/> (in <paramref name="cluster"/>) of
    /// <paramref name="column"/>: sqrt(1 - noise) times its cluster's latent plus sqrt(noise) times its own deviation.</summary>
    private void IdLatent(int column, long rank, int cluster, Span<double> latent)
    {
        ReadOnlySpan<double> shared = _clusterLatents.AsSpan((column * _clusterCdf.Length + cluster) * _rank, _rank);
        ulong own = StreamHash.Mix(_idKeys[column] ^ (ulong)rank);
        for (int j = 0; j < _rank; j++) latent[j] = _clusterWeight * shared[j] + _idWeight * StreamHash.UnitVariance(StreamHash.Mix(own + (ulong)j));
    }

    /// <summary>
    /// <paramref name="linear"/> plus column <paramref name="column"/>'s linear read-out &lt;beta_c, cell&gt;, its r products
    /// added one by one. Added over the columns in order 0, 1, .. it is the one sum of all 26 r products in index order, so
    /// the generator adds each column as soon as its cell is final: the 26 r dependent additions then overlap the next columns' draws
    /// instead of waiting in one chain at the end of the row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double AddLinear(int column, ReadOnlySpan<double> cell, double linear)
    {
        ReadOnlySpan<double> beta = _projections.AsSpan(column * _rank, _rank);
        cell = cell[..beta.Length];
        for (int j = 0; j < beta.Length; j++) linear += beta[j] * cell[j];
        return linear;
    }

    /// <summary>The interacting column pairs' dot products &lt;v_a, v_b&gt;, added in pair order.</summary>
    public double Interactions(ReadOnlySpan<double> latents)
    {
        double interaction = 0;
        int r = _rank;
        foreach ((int a, int b) in _pairs)
        {
            ReadOnlySpan<double> va = latents.Slice(a * r, r), vb = latents.Slice(b * r, r);
            for (int j = 0; j < va.Length; j++) interaction += va[j] * vb[j];
        }
        return interaction;
    }

    /// <summary>The token part of the logit from the summed linear read-outs and interactions.</summary>
    public double Combine(double linear, double interaction) => _tokenScale * linear + _interactionScale * interaction;
}
