using System.Runtime.InteropServices;
using RobeGen.Cpu.Quantized;
using static RobeGen.Cpu.Quantized.Int8MicroKernel;

namespace RobeGen.Tests.Cpu.Quantized;

/// <summary>
/// Every integer kernel against the obvious triple loop on unpacked matrices (exact equality), on the full operand
/// ranges of the contract (activations 0..255, weights -64..63) including the largest pair sums, for every row count
/// of a tile and short and long K.
/// </summary>
public sealed unsafe class Int8KernelTests
{
    internal static IEnumerable<Int8MicroKernel> Kernels()
    {
        yield return new Int8KernelScalar();
        if (Int8Kernel512.IsSupported) yield return new Int8Kernel512();
    }

    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 8, 1 }, { 3, 2 }, { 8, 7 }, { 5, 92 }, { 8, 128 }, { 1, 300 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Random_operands_give_the_exact_integer_sums(int rows, int quads)
    {
        var random = new Random(rows * 1000 + quads);
        int k = quads * KStep;
        var a = new byte[MR, k];
        var w = new sbyte[NR, k];
        for (int r = 0; r < MR; r++) for (int p = 0; p < k; p++) a[r, p] = (byte)random.Next(0, 256);
        for (int j = 0; j < NR; j++) for (int p = 0; p < k; p++) w[j, p] = (sbyte)random.Next(-64, 64);
        CheckAllKernels(a, w, rows, quads);
    }

    [Theory]
    [InlineData(255, -64)]
    [InlineData(255, 63)]
    [InlineData(255, -63)]
    [InlineData(0, -64)]
    [InlineData(255, 0)]
    public void Extreme_operands_never_saturate(int activation, int weight)
    {
        // Every pair sum is 2 * activation * weight: -32,640 for (255, -64), the most the 16-bit stage sees.
        const int quads = 130;
        var a = new byte[MR, quads * KStep];
        var w = new sbyte[NR, quads * KStep];
        for (int r = 0; r < MR; r++) for (int p = 0; p < quads * KStep; p++) a[r, p] = (byte)activation;
        for (int j = 0; j < NR; j++) for (int p = 0; p < quads * KStep; p++) w[j, p] = (sbyte)weight;
        int[] tile = CheckAllKernels(a, w, MR, quads);
        Assert.All(tile, v => Assert.Equal(quads * KStep * activation * weight, v));
    }

    [Fact]
    public void Mixed_signs_within_a_pair_keep_their_exact_sum()
    {
        // Pairs (255 * 63) + (255 * -64) and the reverse: cancellations inside vpmaddubsw's 16-bit pair sums.
        const int quads = 16;
        var a = new byte[MR, quads * KStep];
        var w = new sbyte[NR, quads * KStep];
        for (int r = 0; r < MR; r++) for (int p = 0; p < quads * KStep; p++) a[r, p] = (byte)(p % 3 == 0 ? 0 : 255 - r);
        for (int j = 0; j < NR; j++) for (int p = 0; p < quads * KStep; p++) w[j, p] = (sbyte)((p + j) % 2 == 0 ? 63 : -64);
        CheckAllKernels(a, w, MR, quads);
    }

    private static int[] CheckAllKernels(byte[,] a, sbyte[,] w, int rows, int quads)
    {
        byte* activations = (byte*)NativeMemory.AlignedAlloc((nuint)(quads * ActivationQuadBytes), 64);
        sbyte* weights = (sbyte*)NativeMemory.AlignedAlloc((nuint)(quads * WeightQuadBytes), 64);
        try
        {
            // The layouts as Int8MicroKernel documents them, written independently of the library's packers.
            for (int q = 0; q < quads; q++)
                for (int t = 0; t < KStep; t++)
                {
                    for (int r = 0; r < MR; r++) activations[q * ActivationQuadBytes + r * KStep + t] = a[r, q * KStep + t];
                    for (int j = 0; j < NR; j++) weights[q * WeightQuadBytes + j * KStep + t] = w[j, q * KStep + t];
                }
            var expected = new int[MR * NR];
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < NR; j++)
                {
                    long sum = 0;
                    for (int p = 0; p < quads * KStep; p++) sum += a[r, p] * w[j, p];
                    expected[r * NR + j] = checked((int)sum);
                }
            foreach (Int8MicroKernel kernel in Kernels())
            {
                const int untouched = 0x5A5A5A5A;
                var tile = Enumerable.Repeat(untouched, MR * NR).ToArray();
                fixed (int* t = tile) kernel.Compute(quads, activations, rows, weights, t);
                for (int r = 0; r < MR; r++)
                    for (int j = 0; j < NR; j++)
                        Assert.True((r < rows ? expected[r * NR + j] : untouched) == tile[r * NR + j],
                            $"{kernel.Name}: tile[{r}, {j}] = {tile[r * NR + j]}, expected {(r < rows ? expected[r * NR + j] : untouched)}");
            }
            return expected;
        }
        finally
        {
            NativeMemory.AlignedFree(activations);
            NativeMemory.AlignedFree(weights);
        }
    }
}
