namespace RobeGen.Tests.Embedding;

/// <summary>
/// RobeHash.ModP (the GPU kernels' division-free x mod P) against the remainder operator: around every multiple of P
/// it can straddle, at the ends of the 64-bit range and on random values of every magnitude.
/// </summary>
public sealed class ModPTests
{
    private const ulong P = RobeHash.P;

    [Fact]
    public void ModP_is_the_remainder_near_multiples_of_P_and_at_the_ends()
    {
        var values = new List<ulong> { 0, 1, P - 1, P, P + 1, 2 * P - 1, 2 * P, ulong.MaxValue, ulong.MaxValue - 1, 1UL << 63, (1UL << 63) - 1 };
        // Multiples of P up to the top of the range, where the double quotient is least exact.
        foreach (ulong q in new ulong[] { 3, 1000, 1UL << 20, 1UL << 31, 1UL << 32, 1UL << 33, ulong.MaxValue / P })
            for (long delta = -2; delta <= 2; delta++)
                values.Add(unchecked(q * P + (ulong)delta));
        foreach (ulong x in values) Assert.Equal(x % P, RobeHash.ModP(x));
    }

    [Fact]
    public void ModP_is_the_remainder_on_random_values_of_every_magnitude()
    {
        var random = new Random(5);
        Span<byte> bytes = stackalloc byte[8];
        for (int i = 0; i < 200_000; i++)
        {
            random.NextBytes(bytes);
            ulong x = BitConverter.ToUInt64(bytes) >> random.Next(64);
            Assert.Equal(x % P, RobeHash.ModP(x));
        }
    }
}
