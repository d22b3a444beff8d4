using RobeGen.Training;

namespace RobeGen.Cli.Output;

/// <summary>
/// Draws a run's training curve as a PNG: the training loss (from the progress reports, every few steps, so that even
/// a one-epoch run with one evaluation has a line) and the evaluation AUC on a second axis. Each axis is scaled to its
/// own data: a single evaluation is one large marker on an AUC axis around it, not a dot on ScottPlot's empty -1..1 range.
/// </summary>
internal static class TrainingCurvePlot
{
    /// <param name="lossPoints">(step, mean training loss) from the progress reports; the summary's curve is used when empty.</param>
    public static void Save(string path, TrainingSummary summary, IReadOnlyList<(long Step, double Loss)> lossPoints)
    {
        var plot = new ScottPlot.Plot();
        (long Step, double Loss)[] loss = (lossPoints.Count > 0
                ? lossPoints
                : summary.Curve.Select(p => (p.Step, p.TrainLoss)).ToList())
            .Where(p => double.IsFinite(p.Loss)).ToArray();
        if (loss.Length > 0)
        {
            var line = plot.Add.Scatter(loss.Select(p => (double)p.Step).ToArray(), loss.Select(p => p.Loss).ToArray());
            line.LegendText = "training loss";
            line.MarkerSize = loss.Length == 1 ? 10 : 4;
            double low = loss.Min(p => p.Loss), high = loss.Max(p => p.Loss), pad = Math.Max((high - low) * 0.1, 0.02);
            plot.Axes.Left.Range.Set(low - pad, high + pad);
        }
        TrainingCurvePoint[] evals = summary.Curve.Where(p => p.Evaluation is not null).ToArray();
        if (evals.Length > 0)
        {
            double[] auc = evals.Select(p => p.Evaluation!.Auc).ToArray();
            var points = plot.Add.Scatter(evals.Select(p => (double)p.Step).ToArray(), auc);
            points.LegendText = "eval AUC";
            points.MarkerSize = evals.Length == 1 ? 12 : 7;
            points.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "AUC";
            double pad = Math.Max((auc.Max() - auc.Min()) * 0.1, 0.02);
            plot.Axes.Right.Range.Set(auc.Min() - pad, auc.Max() + pad);
        }
        long lastStep = Math.Max(summary.Final.Step, 1);
        plot.Axes.Bottom.Range.Set(0, lastStep * 1.02);
        plot.Title($"{summary.ModelName} on {summary.Device}");
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend();
        plot.SavePng(path, 900, 500);
    }
}
