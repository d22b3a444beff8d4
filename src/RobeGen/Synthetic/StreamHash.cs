namespace RobeGen.Synthetic;

/// <summary>
/// The integer mixing behind the synthetic data: every random quantity is a pure function of (seed, what, index),
/// so any row or any token weight can be produced on any thread in any order and come out the same.
/// </summary>
internal static class StreamHash
{
    /// <summary>SplitMix64's finalizer (<see cref="Initialization.SplitMix64.Mix"/>).</summary>
    public static ulong Mix(ulong z) => Initialization.SplitMix64.Mix(z);

    /// <summary>A key for one purpose (<paramref name="what"/>) and one index under a seed.</summary>
    public static ulong Key(ulong seed, ulong what, ulong index) => KeyOf(Stream(seed, what), index);

    /// <summary>The part of <see cref="Key"/> that depends on the seed and purpose only: worked out once, where a key per row
    /// is taken (KeyOf(Stream(seed, what), index) is Key(seed, what, index)).</summary>
    public static ulong Stream(ulong seed, ulong what) => Mix(seed + Initialization.SplitMix64.Gamma * (what + 1));

    /// <summary>The key of one index of a <see cref="Stream"/>.</summary>
    public static ulong KeyOf(ulong stream, ulong index) => Mix(stream ^ (index * 0xD1B54A32D192ED03UL));

    /// <summary>Uniform in [-sqrt 3, sqrt 3): mean 0, variance 1, from the top 53 bits of a hash.</summary>
    public static double UnitVariance(ulong hash) => ((hash >> 11) * (1.0 / (1UL << 53)) * 2.0 - 1.0) * 1.7320508075688772;

    /// <summary>A bijection of 32-bit integers keyed by <paramref name="key"/>: distinct ranks get distinct ids.</summary>
    public static uint Permute32(uint x, ulong key)
    {
        x ^= (uint)key;
        x *= 0x7FEB352DU;
        x ^= x >> 15;
        x *= 0x846CA68BU | 1U;
        x ^= x >> 16;
        x += (uint)(key >> 32);
        x ^= x >> 13;
        return x;
    }
}

/// <summary>What a key of <see cref="StreamHash.Key"/> is for: one independent stream of randomness per purpose. Append
/// only (a value's number is part of every data set made with it).</summary>
internal enum SyntheticStream : ulong
{
    Row, TokenId, TokenWeight, Interaction, Pair, Dense,
    /// <summary>Structured teacher: the uniform that picks an id's cluster.</summary>
    Cluster,
    /// <summary>Structured teacher: the clusters' latent vectors.</summary>
    ClusterLatent,
    /// <summary>Structured teacher: each id's own deviation.</summary>
    IdLatent,
    /// <summary>Structured teacher: each column's linear read-out of its latent.</summary>
    Projection,
}

/// <summary>One row's private random stream (SplitMix64 seeded from the row's key).</summary>
internal struct RowRandom(ulong seed) : IUniformSource
{
    private ulong _state = seed;

    public ulong Next() => StreamHash.Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, 1) on a grid of 2^-53.</summary>
    public double NextUniform() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>An approximately normal value (sum of four uniforms, rescaled): cheap, and tails do not matter here.</summary>
    public double NextRoughNormal() => (NextUniform() + NextUniform() + NextUniform() + NextUniform() - 2.0) * 1.7320508075688772;
}
