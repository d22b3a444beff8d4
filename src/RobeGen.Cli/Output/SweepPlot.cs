using RobeGen.Metrics;
using ScottPlot;
using RobeGen.Lab.Study;

namespace RobeGen.Cli.Output;

/// <summary>
/// Draws a sweep as one PNG with two stacked panels, AUC and logloss against embedding bytes (log scale), one line per method
/// through its compression ratios (the mean over seeds, the min..max as a vertical bar), Full as a point and the
/// teacher's AUC and logloss as horizontal lines for synthetic data.
/// </summary>
internal static class SweepPlot
{
    public static void Save(string path, IReadOnlyList<SweepGroup> groups, EvaluationMetrics? teacher, string title)
    {
        var multiplot = new ScottPlot.Multiplot();
        multiplot.AddPlots(2);
        ScottPlot.Plot auc = multiplot.GetPlot(0), logloss = multiplot.GetPlot(1);
        Draw(auc, groups, g => (g.AucMean, g.AucMin, g.AucMax), teacher?.Auc, "AUC (higher is better)");
        Draw(logloss, groups, g => (g.LogLossMean, g.LogLossMin, g.LogLossMax), teacher?.LogLoss, "logloss (lower is better)");
        auc.Title(title.Length > 90 ? title[..90] + "..." : title, size: 12);
        multiplot.SavePng(path, 1100, 1200);
    }

    private static void Draw(ScottPlot.Plot plot, IReadOnlyList<SweepGroup> groups, Func<SweepGroup, (double Mean, double Min, double Max)> metric,
        double? teacher, string label)
    {
        var palette = new ScottPlot.Palettes.Category10();
        int colorIndex = 0;
        double minX = double.MaxValue, maxX = double.MinValue;
        foreach (var method in groups.GroupBy(g => g.Method))
        {
            SweepGroup[] points = method.OrderBy(g => g.EmbeddingBytes).ToArray();
            double[] xs = points.Select(g => Math.Log10(g.EmbeddingBytes)).ToArray();
            double[] ys = points.Select(g => metric(g).Mean).ToArray();
            minX = Math.Min(minX, xs.Min()); maxX = Math.Max(maxX, xs.Max());
            ScottPlot.Color color = palette.GetColor(colorIndex++);
            var line = plot.Add.Scatter(xs, ys, color);
            line.LegendText = points[0].Label;
            line.MarkerSize = points.Length == 1 ? 12 : 7;
            // The spread over seeds: a vertical min..max line at each point.
            foreach ((SweepGroup g, double x) in points.Zip(xs))
            {
                var spread = plot.Add.Line(x, metric(g).Min, x, metric(g).Max);
                spread.Color = color;
                spread.LineWidth = 2;
            }
        }
        if (teacher is double t)
        {
            var line = plot.Add.HorizontalLine(t);
            line.LinePattern = ScottPlot.LinePattern.Dashed;
            line.LegendText = "teacher (best achievable)";
        }
        // Log-scale x: values are log10(bytes), ticks at powers of ten labeled in bytes.
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        if (minX <= maxX)
            for (int e = (int)Math.Floor(minX); e <= (int)Math.Ceiling(maxX); e++)
                ticks.AddMajor(e, DecimalBytes(e));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.XLabel("embedding bytes (log scale)");
        plot.YLabel(label);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
    }

    /// <summary>10^e bytes as a decimal unit (1 kB, 10 MB, ...): the ticks sit at powers of ten.</summary>
    private static string DecimalBytes(int e)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        int unit = Math.Clamp(e / 3, 0, units.Length - 1);
        return $"{Math.Pow(10, e - 3 * unit):0} {units[unit]}";
    }
}
