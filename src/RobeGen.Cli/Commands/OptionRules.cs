using System.CommandLine;
using System.Globalization;

namespace RobeGen.Cli.Commands;

/// <summary>
/// Range checks that run while the command line is parsed, so a bad value is refused before any work starts, in the
/// flag's own words ("--lr must be a finite number > 0, got NaN") and with the usage exit code 2.
/// </summary>
internal static class OptionRules
{
    /// <summary>Refuses NaN, infinities and values not above <paramref name="min"/> (or below it when <paramref name="inclusive"/>).</summary>
    public static Option<float> Finite(this Option<float> option, double min, bool inclusive = false) =>
        option.Check(v => float.IsFinite(v) && (inclusive ? v >= min : v > min), Describe(min, inclusive), Show);

    public static Option<double> Finite(this Option<double> option, double min, bool inclusive = false, double max = double.MaxValue) =>
        option.Check(v => double.IsFinite(v) && (inclusive ? v >= min : v > min) && v <= max, Describe(min, inclusive, max), Show);

    public static Option<double?> Finite(this Option<double?> option, double min, bool inclusive = false, double max = double.MaxValue) =>
        option.Check(v => v is not double d || (double.IsFinite(d) && (inclusive ? d >= min : d > min) && d <= max),
            Describe(min, inclusive, max), v => Show(v ?? 0));

    public static Option<int> Between(this Option<int> option, int min, int max) =>
        option.Check(v => v >= min && v <= max, $"an integer from {min.ToString("N0", CultureInfo.InvariantCulture)} to {max.ToString("N0", CultureInfo.InvariantCulture)}",
            v => v.ToString(CultureInfo.InvariantCulture));

    public static Option<int?> Between(this Option<int?> option, int min, int max) =>
        option.Check(v => v is not int i || (i >= min && i <= max),
            $"an integer from {min.ToString("N0", CultureInfo.InvariantCulture)} to {max.ToString("N0", CultureInfo.InvariantCulture)}",
            v => v?.ToString(CultureInfo.InvariantCulture) ?? "");

    public static Option<long> AtLeast(this Option<long> option, long min) =>
        option.Check(v => v >= min, $"an integer >= {min}", v => v.ToString(CultureInfo.InvariantCulture));

    public static Option<long?> AtLeast(this Option<long?> option, long min) =>
        option.Check(v => v is not long l || l >= min, $"an integer >= {min}", v => v?.ToString(CultureInfo.InvariantCulture) ?? "");

    /// <summary>Refuses a value outside <paramref name="allowed"/> (compared without case), naming them.</summary>
    public static Option<string> OneOf(this Option<string> option, IReadOnlyCollection<string> allowed) =>
        option.Check(v => allowed.Contains(v, StringComparer.OrdinalIgnoreCase), $"one of {string.Join(", ", allowed)}", v => $"'{v}'");

    /// <summary>Refuses anything but one character other than a quote or a line break (a separator).</summary>
    public static Option<string?> OneCharacter(this Option<string?> option) =>
        option.Check(v => v is null || (v.Length == 1 && v is not ("\"" or "\r" or "\n")), "one character other than a quote or a line break", v => $"'{v}'");

    private static Option<T> Check<T>(this Option<T> option, Func<T, bool> valid, string what, Func<T, string> show)
    {
        option.Validators.Add(result =>
        {
            // Only values the user typed: defaults are valid by construction.
            if (result.Implicit) return;
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return; // not a number at all: System.CommandLine reports that itself ("Cannot parse argument 'abc' for option '--lr'")
            }
            if (!valid(value)) result.AddError($"{option.Name} must be {what}, got {show(value)}");
        });
        return option;
    }

    private static string Describe(double min, bool inclusive, double max = double.MaxValue) =>
        $"a finite number {(inclusive ? ">=" : ">")} {Show(min)}" + (max < double.MaxValue ? $" and <= {Show(max)}" : "");

    private static string Show(double v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Show(float v) => v.ToString(CultureInfo.InvariantCulture);
}
