namespace RobeGen.Initialization;

/// <summary>
/// The seeded random stream of model initialization (docs/model-math.md): SplitMix64 (Steele, Lea, Flood 2014;
/// the constants of Vigna's reference code), uniforms from its top 24 bits, normals by Box-Muller with both values
/// of every pair used in order. Pure integer arithmetic plus double math, so every backend and platform draws the
/// same numbers.
/// </summary>
internal struct SplitMix64
{
    private const double TwoPi = 2 * Math.PI;
    private ulong _state;
    private double _spareNormal;
    private bool _hasSpare;

    /// <summary>The seed is sign-extended to 64 bits and used as the initial state.</summary>
    public SplitMix64(long seed)
    {
        _state = unchecked((ulong)seed);
        _spareNormal = 0;
        _hasSpare = false;
    }

    /// <summary>SplitMix64's increment (the golden ratio in 64 bits).</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>SplitMix64's finalizer (Vigna's constants): a bijection of 64-bit integers with full avalanche. Static and
    /// integer-only, so ILGPU kernels call it too (the embedding's counter-based init, the synthetic data's stream hash).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong Next() => Mix(_state += Gamma);

    /// <summary>Uniform in [0, 1) on a grid of 2^-24 (exactly representable as a float).</summary>
    public double NextUniform() => (Next() >> 40) * (1.0 / (1 << 24));

    /// <summary>Uniform in [-bound, bound).</summary>
    public double NextUniform(double bound) => (2 * NextUniform() - 1) * bound;

    /// <summary>
    /// Standard normal. Box-Muller on two uniforms u1, u2 gives r cos(2 pi u2) and then, on the next call,
    /// r sin(2 pi u2), with r = sqrt(-2 ln(1 - u1)) (1 - u1 lies in (0, 1], so the log is finite).
    /// The pending second value survives across tensors: the stream of normals is one sequence.
    /// </summary>
    public double NextNormal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareNormal;
        }
        double u1 = NextUniform(), u2 = NextUniform();
        double r = Math.Sqrt(-2 * Math.Log(1 - u1));
        _spareNormal = r * Math.Sin(TwoPi * u2);
        _hasSpare = true;
        return r * Math.Cos(TwoPi * u2);
    }
}
