using System.Diagnostics;
using System.Globalization;
using RobeGen.Data;
using RobeGen.Metrics;
using RobeGen.Synthetic;

namespace RobeGen.Benchmarks;

/// <summary>
/// What an evaluation of a long synthetic run costs on the CPU, piece by piece:
/// <c>auc</c> times exact AUC (<see cref="MetricsAccumulator.Compute"/>) over N predictions with many ties, and
/// <c>synthetic</c> the rows/s of the synthetic generator (MLPerf cardinalities given as indices, 16,384-row batches on
/// every core), with a hash of a fixed batch so two builds can be shown to make the same rows.
/// </summary>
internal static class EvaluationBenchmark
{
    public static int Auc(string[] args)
    {
        if (!TryPositive(args, "--rows", 50_000_000, out long rows) || rows > Array.MaxLength) return Usage("--rows must be a whole number from 1 to 2,147,483,591");
        var random = new Random(1);
        var metrics = new MetricsAccumulator((int)rows);
        var p = new float[1 << 16];
        var y = new float[1 << 16];
        for (long done = 0; done < rows; done += p.Length)
        {
            int n = (int)Math.Min(p.Length, rows - done);
            for (int i = 0; i < n; i++)
            {
                double score = random.NextDouble();
                y[i] = random.NextDouble() < score * 0.5 ? 1 : 0;
                p[i] = (float)Math.Round(score, 5); // about 100,000 distinct scores: many ties, as a model's outputs have
            }
            metrics.Add(p.AsSpan(0, n), y.AsSpan(0, n));
        }
        var clock = Stopwatch.StartNew();
        EvaluationMetrics m = metrics.Compute();
        Console.WriteLine(FormattableString.Invariant($"exact AUC of {rows:N0} predictions: {m.Auc:R} in {clock.Elapsed.TotalSeconds:F2} s ({Environment.ProcessorCount} logical cores, .NET {Environment.Version})"));
        return 0;
    }

    public static int Synthetic(string[] args)
    {
        string teacherName = ParseBenchmark.Option(args, "--teacher") ?? "structured";
        if (!Enum.TryParse(teacherName, ignoreCase: true, out SyntheticTeacher teacher) || !Enum.IsDefined(teacher))
            return Usage("--teacher must be independent or structured");
        if (!TryPositive(args, "--seconds", 5, out long seconds) || seconds > 3600) return Usage("--seconds must be a whole number from 1 to 3600");
        var spec = new SyntheticSpec { Cardinalities = SyntheticSpec.CardinalityTable("mlperf"), Teacher = teacher, Seed = 1 };
        SyntheticGenerator generator = new SyntheticGenerator(spec).ForIndices();
        var batch = new Batch(16384, SyntheticGenerator.DenseColumns, SyntheticGenerator.TokenColumns);
        Console.WriteLine($"rows hash {RowsHash(spec):X16} (20,000 rows with and without coherence; the same in two builds: the same rows)");
        generator.Fill(batch, 0, batch.Capacity); // warm-up
        var clock = Stopwatch.StartNew();
        long made = 0;
        for (long first = 1_000_000; clock.Elapsed.TotalSeconds < seconds; first += batch.Capacity, made += batch.Capacity) generator.Fill(batch, first, batch.Capacity);
        double rate = made / clock.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant($"{teacher} teacher: {rate:N0} rows/s on {Environment.ProcessorCount} logical cores ({rate / Environment.ProcessorCount:N0} per core), .NET {Environment.Version}"));
        return 0;
    }

    /// <summary>FNV-1a over every id, dense value, label and teacher probability of 20,000 rows, and the calibrated bias.</summary>
    private static ulong RowsHash(SyntheticSpec spec)
    {
        ulong hash = 1469598103934665603UL;
        void Add(ulong value) => hash = (hash ^ value) * 1099511628211UL;
        foreach (double coherence in new[] { 0.0, 0.5 })
        {
            var generator = new SyntheticGenerator(spec with { Seed = 3, Coherence = coherence });
            var batch = new Batch(20000, SyntheticGenerator.DenseColumns, SyntheticGenerator.TokenColumns);
            var probabilities = new float[batch.Capacity];
            generator.Fill(batch, 123456, batch.Capacity, probabilities);
            foreach (ulong id in batch.TokenSpan) Add(id);
            foreach (float v in batch.DenseSpan) Add(BitConverter.SingleToUInt32Bits(v));
            foreach (float v in batch.LabelSpan) Add(BitConverter.SingleToUInt32Bits(v));
            foreach (float v in probabilities) Add(BitConverter.SingleToUInt32Bits(v));
            Add(BitConverter.DoubleToUInt64Bits(generator.Bias));
        }
        return hash;
    }

    private static bool TryPositive(string[] args, string name, long fallback, out long value)
    {
        string? text = ParseBenchmark.Option(args, name);
        value = fallback;
        return text is null || (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1);
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine($"RobeGen.Benchmarks: {problem}");
        return 2;
    }
}
