using System.Reflection;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// The fixed-point kernels of the deterministic gradient compiled to PTX (no GPU needed): ILGPU's CPU accelerator runs them
/// as .NET code, so only this shows that they compile for the device at all, and to what they rely on: 64-bit integer
/// atomic adds and exchanges, a 32-bit atomic max after a shared-memory reduction, and no float atomics.
/// </summary>
public sealed class FixedPointPtxTests
{
    private static MethodInfo Kernel(string name) => typeof(DeterministicGradientKernels).GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;

    [Fact]
    public void The_scatter_adds_64_bit_integers_atomically_and_no_floats()
    {
        // (Rounding to nearest even is XMath's software rounding: bit operations, no single instruction to look for.)
        string ptx = PtxCompiler.Compile(Kernel(nameof(DeterministicGradientKernels.FixedPointScatter)));
        Assert.Matches(@"\b(red|atom)(\.global)?\.add\.[us]64\b", ptx);
        Assert.DoesNotMatch(@"\b(red|atom)(\.global)?\.add\.f32\b", ptx);
    }

    [Fact]
    public void The_collect_exchanges_64_bit_sums_and_the_largest_term_is_an_atomic_max_per_group()
    {
        Assert.Matches(@"\batom(\.global)?\.exch\.b64\b", PtxCompiler.Compile(Kernel(nameof(DeterministicGradientKernels.FixedPointCollect))));
        string max = PtxCompiler.Compile(Kernel(nameof(DeterministicGradientKernels.MaxMagnitude)), explicitlyGrouped: true);
        Assert.Matches(@"\b(red|atom)(\.global)?\.max\.s32\b", max);
        Assert.Matches(@"\bbar\.sync\b", max);
    }
}
