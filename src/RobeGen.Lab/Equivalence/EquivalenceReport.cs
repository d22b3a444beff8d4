using System.Globalization;
using System.Text;

namespace RobeGen.Lab.Equivalence;

/// <summary>One measured quantity of an equivalence check, its limit, and whether it is within it.</summary>
internal sealed record CheckResult(string Name, double Value, double Limit, string Detail = "")
{
    public bool Passed => Value <= Limit && !double.IsNaN(Value);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Passed ? "PASS" : "FAIL")}  {Name,-44} {Value,11:0.000e+00} (limit {Limit:0.0e+00}){(Detail.Length > 0 ? "  " + Detail : "")}");
}

/// <summary>The results of one equivalence check, printable line by line.</summary>
internal sealed class EquivalenceReport
{
    public EquivalenceReport(string title) => Title = title;

    public string Title { get; }
    public List<CheckResult> Results { get; } = new();
    public bool Passed => Results.Count > 0 && Results.TrueForAll(r => r.Passed);

    public void Add(CheckResult result) => Results.Add(result);

    /// <summary>
    /// Max |candidate - reference| over the tensor divided by max |reference| (relative to the tensor's scale, so
    /// entries that are nearly zero by cancellation do not dominate).
    /// </summary>
    public CheckResult CompareTensors(string name, ReadOnlySpan<float> reference, ReadOnlySpan<float> candidate, double limit)
    {
        if (reference.Length != candidate.Length)
            return Record(new CheckResult(name, double.PositiveInfinity, limit, $"length {candidate.Length} vs {reference.Length}"));
        double maxDiff = 0, scale = 0;
        int worst = -1;
        for (int i = 0; i < reference.Length; i++)
        {
            double diff = Math.Abs((double)candidate[i] - reference[i]);
            if (double.IsNaN(diff)) diff = double.PositiveInfinity;
            if (diff > maxDiff) (maxDiff, worst) = (diff, i);
            scale = Math.Max(scale, Math.Abs(reference[i]));
        }
        double relative = maxDiff == 0 ? 0 : maxDiff / Math.Max(scale, 1e-30);
        string detail = worst < 0 ? $"{reference.Length} values, identical"
            : string.Create(CultureInfo.InvariantCulture, $"{reference.Length} values, worst [{worst}] {candidate[worst]:G9} vs {reference[worst]:G9}");
        return Record(new CheckResult(name, relative, limit, detail));
    }

    public CheckResult Record(CheckResult result)
    {
        Results.Add(result);
        return result;
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Title).Append(": ").AppendLine(Passed ? "PASS" : "FAIL");
        foreach (var r in Results) sb.Append("  ").AppendLine(r.ToString());
        return sb.ToString();
    }
}
