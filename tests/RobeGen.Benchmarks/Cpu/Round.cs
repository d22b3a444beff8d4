using System.Globalization;

namespace RobeGen.Benchmarks.Cpu;

/// <summary>One timed round of one side: <see cref="Count"/> steps or passes of <see cref="Rows"/> rows each.</summary>
internal readonly record struct Round(int Count, int Rows, double WallSeconds, double CpuSeconds)
{
    public double SamplesPerSecond => Count * (double)Rows / WallSeconds;
    /// <summary>Samples per second of CPU time of the whole process: what one fully-owned core would deliver, and
    /// far less sensitive than wall time to other processes on a shared machine.</summary>
    public double SamplesPerCpuSecond => Count * (double)Rows / CpuSeconds;

    /// <summary>Parses "count wall cpu" as both benchmark processes print it.</summary>
    public static Round Parse(string reply, int rows)
    {
        string[] parts = reply.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3) throw new FormatException($"Unexpected reply '{reply}'.");
        return new Round(int.Parse(parts[0], CultureInfo.InvariantCulture), rows,
            double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}

/// <summary>Robust summaries of repeated measurements.</summary>
internal static class Stats
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 50);

    /// <summary>Nearest-rank percentile.</summary>
    public static double Percentile(IEnumerable<double> values, double percent)
    {
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        int rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
