using System.Globalization;
using RobeGen.Training;

namespace RobeGen.Cli.Output;

/// <summary>The final summary of a training run, as plain aligned text.</summary>
internal static class SummaryPrinter
{
    public static void Print(TextWriter output, TrainingSummary s, EmbeddingLayout layout, string? checkpoint, string? plot)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine($"== {s.ModelName} trained on {s.Device}");
        output.WriteLine(string.Create(inv, $"steps          {s.Final.Step:N0} ({s.Final.Rows:N0} rows; {s.StopReason})"));
        if (s.Evaluation is { } e)
        {
            output.WriteLine(string.Create(inv, $"eval AUC       {e.Auc:F4}"));
            output.WriteLine(string.Create(inv, $"eval logloss   {e.LogLoss:F4}"));
            output.WriteLine(string.Create(inv, $"eval rows      {e.Count:N0} ({e.Positives:N0} clicks; mean prediction {e.MeanPrediction:F4} vs CTR {e.ObservedCtr:F4})"));
        }
        output.WriteLine(string.Create(inv, $"model bytes    {Bytes(s.Size.Bytes)} (embeddings {Bytes(s.Size.EmbeddingBytes)}, MLPs {Bytes(s.Size.MlpParameters * 4)})"));
        output.WriteLine(!IsCompressed(layout) ? "compression    none: Full tables, one row per vocabulary index (a counted id, or a synthetic id's rank)"
            : s.Size.FullTableEmbeddingParameters > 0
                ? string.Create(inv, $"compression    {s.Size.CompressionRatio:N1}x against full tables ({Bytes(s.Size.FullTableEmbeddingParameters * 4)})")
                : "compression    n/a (no cardinalities declared)");
        // The headline rate is wall-clock (rows over the run's elapsed time); the steps-only rate is labelled as such.
        output.WriteLine(string.Create(inv,
            $"throughput     {s.WallRowsPerSecond:N0} rows/s wall-clock ({s.RowsTrained:N0} rows in {s.WallTime.TotalSeconds:F1} s); training steps alone {s.TrainingRowsPerSecond:N0} rows/s"));
        TrainingTimes t = s.Times;
        output.WriteLine(string.Create(inv,
            $"time           steps {t.Steps.TotalSeconds:F1} s, waiting for input {t.InputWait.TotalSeconds:F1} s, evaluations {t.Evaluations.TotalSeconds:F1} s, checkpoints {t.Checkpoints.TotalSeconds:F1} s, the rest {Math.Max(0, (s.WallTime - t.Steps - t.InputWait - t.Evaluations - t.Checkpoints).TotalSeconds):F1} s"));
        if (checkpoint is not null) output.WriteLine($"checkpoint     {checkpoint}");
        if (plot is not null) output.WriteLine($"curve          {plot}");
    }

    /// <summary>
    /// The compression of the embedding tables, in words: a ratio against the declared full tables, or "none" for Full
    /// tables (whose rows come from the training vocabulary: comparing them with the declared cardinalities gives a
    /// meaningless "1,258x").
    /// </summary>
    public static string Compression(EmbeddingLayout layout) =>
        !IsCompressed(layout) ? "Full tables, no compression"
        : layout.Size.FullTableEmbeddingParameters > 0 ? string.Create(CultureInfo.InvariantCulture, $"{layout.Size.CompressionRatio:N1}x compression")
        : "compression n/a";

    private static bool IsCompressed(EmbeddingLayout layout) => layout.Storage.Any(s => s != EmbeddingStorage.Full);

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F2} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):F1} KiB"),
        _ => $"{bytes} B",
    };
}
