using System.Collections.Immutable;
using System.Globalization;

namespace RobeGen.Data;

/// <summary>
/// Mean and standard deviation of the <see cref="DenseTransform.Standardize"/> columns of a model, measured on the
/// training data (missing values left out) when training starts. A model is evaluated and served with the statistics
/// it was trained with: they travel in the checkpoint (<see cref="ToSettings"/>, <see cref="FromSettings"/>).
/// </summary>
public sealed class DenseStatistics
{
    private const string SettingPrefix = "standardize:";
    private readonly ImmutableDictionary<string, (double Mean, double StdDev)> _columns;

    private DenseStatistics(ImmutableDictionary<string, (double, double)> columns) => _columns = columns;

    /// <summary>No column standardized.</summary>
    public static DenseStatistics None { get; } = new(ImmutableDictionary<string, (double, double)>.Empty);

    /// <summary>The standardized columns' names.</summary>
    public IEnumerable<string> Columns => _columns.Keys.Order(StringComparer.Ordinal);

    /// <summary>Mean and standard deviation of <paramref name="column"/> (a standard deviation of 0 is stored as 1).</summary>
    public (double Mean, double StdDev) this[string column] =>
        _columns.TryGetValue(column, out var s) ? s : throw new KeyNotFoundException($"No statistics for dense column '{column}'.");

    /// <summary>True when <paramref name="column"/> has statistics.</summary>
    public bool Contains(string column) => _columns.ContainsKey(column);

    /// <summary>Statistics from running sums: count, sum and sum of squares of each column's present values.</summary>
    public static DenseStatistics FromSums(IReadOnlyDictionary<string, (long Count, double Sum, double SumOfSquares)> sums)
    {
        ArgumentNullException.ThrowIfNull(sums);
        var builder = ImmutableDictionary.CreateBuilder<string, (double, double)>(StringComparer.Ordinal);
        foreach ((string column, (long count, double sum, double squares)) in sums)
        {
            double mean = count == 0 ? 0 : sum / count;
            double variance = count == 0 ? 0 : Math.Max(0, squares / count - mean * mean);
            double std = Math.Sqrt(variance);
            // A constant column carries no information; dividing by 1 keeps it at 0 instead of NaN.
            builder.Add(column, (mean, std > 0 && double.IsFinite(std) ? std : 1));
        }
        return new DenseStatistics(builder.ToImmutable());
    }

    /// <summary>The statistics as checkpoint settings ("standardize:&lt;column&gt;" = "mean std", round-trip format).</summary>
    public IReadOnlyDictionary<string, string> ToSettings() => _columns.ToDictionary(
        kv => SettingPrefix + kv.Key,
        kv => kv.Value.Mean.ToString("R", CultureInfo.InvariantCulture) + " " + kv.Value.StdDev.ToString("R", CultureInfo.InvariantCulture),
        StringComparer.Ordinal);

    /// <summary>The statistics saved by <see cref="ToSettings"/> among a checkpoint's settings (<see cref="None"/> when there are none).</summary>
    public static DenseStatistics FromSettings(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = ImmutableDictionary.CreateBuilder<string, (double, double)>(StringComparer.Ordinal);
        foreach ((string key, string value) in settings)
        {
            if (!key.StartsWith(SettingPrefix, StringComparison.Ordinal)) continue;
            string[] parts = value.Split(' ');
            if (parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double mean)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double std))
                throw new FormatException($"Setting {key} = '{value}' is not 'mean standard-deviation'.");
            builder.Add(key[SettingPrefix.Length..], (mean, std));
        }
        return new DenseStatistics(builder.ToImmutable());
    }
}
