namespace RobeGen.Benchmarks.Cpu;

/// <summary>
/// The synthetic Criteo-shaped batches both sides of the CPU benchmark train and predict on: compiled into the
/// RobeGen benchmark and (as a linked file) into the TorchSharp baseline, so the two generate the same rows from the
/// same seed without sharing anything else. Token ids are log-uniform in [0, cardinality) per table (small ids are
/// much more frequent, like the real columns), so the full tables see a realistic mix of hot and cold rows; the same
/// ids are raw tokens for RobeGen's hashed ROBE lookups and row indices for TorchSharp's full tables.
/// </summary>
internal static class SyntheticCriteo
{
    public const int DenseFeatures = 13;
    public const int EmbeddingDim = 16;
    public static readonly int[] BottomMlp = [512, 256, 64, 16];
    public static readonly int[] TopMlp = [512, 256];

    /// <summary>Criteo Kaggle's 26 categorical cardinalities (the CriteoKaggle model's, 33,762,577 rows in all).</summary>
    public static readonly long[] Cardinalities =
    [
        1_460, 583, 10_131_227, 2_202_608, 305, 24, 12_517, 633, 3, 93_145, 5_683, 8_351_593, 3_194,
        27, 14_992, 5_461_306, 10, 5_652, 2_173, 4, 7_046_547, 18, 15, 286_181, 105, 142_572,
    ];

    public static int Tables => Cardinalities.Length;

    /// <summary>One batch: labels [rows], dense [rows, 13] (already log-transformed), ids [rows, 26].</summary>
    public sealed record Rows(float[] Labels, float[] Dense, long[] Ids)
    {
        public int Count => Labels.Length;
    }

    /// <summary>Batch number <paramref name="index"/> of <paramref name="rows"/> rows of the stream seeded with <paramref name="seed"/>.</summary>
    public static Rows Batch(int seed, int index, int rows)
    {
        ulong state = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)index * 0xD1B54A32D192ED03UL ^ (ulong)rows;
        var labels = new float[rows];
        var dense = new float[rows * DenseFeatures];
        var ids = new long[rows * Tables];
        for (int r = 0; r < rows; r++)
        {
            labels[r] = Uniform(ref state) < 0.26 ? 1f : 0f; // Criteo's click rate
            for (int f = 0; f < DenseFeatures; f++) dense[r * DenseFeatures + f] = (float)(5 * Uniform(ref state));
            for (int t = 0; t < Tables; t++)
            {
                // Log-uniform: exp(u ln c) - 1 in [0, c).
                long id = (long)Math.Exp(Uniform(ref state) * Math.Log(Cardinalities[t])) - 1;
                ids[r * Tables + t] = Math.Clamp(id, 0, Cardinalities[t] - 1);
            }
        }
        return new Rows(labels, dense, ids);
    }

    /// <summary>SplitMix64 step mapped to [0, 1).</summary>
    private static double Uniform(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
