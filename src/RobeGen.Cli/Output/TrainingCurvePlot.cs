using RobeGen.Training;

namespace RobeGen.Cli.Output;

/// <summary>Draws a run's training curve (loss, and evaluation AUC on a second axis) as a PNG.</summary>
internal static class TrainingCurvePlot
{
    public static void Save(string path, TrainingSummary summary)
    {
        var plot = new ScottPlot.Plot();
        IReadOnlyList<TrainingCurvePoint> curve = summary.Curve;
        double[] steps = curve.Where(p => !double.IsNaN(p.TrainLoss)).Select(p => (double)p.Step).ToArray();
        double[] loss = curve.Where(p => !double.IsNaN(p.TrainLoss)).Select(p => p.TrainLoss).ToArray();
        if (steps.Length > 0)
        {
            var lossLine = plot.Add.Scatter(steps, loss);
            lossLine.LegendText = "training loss";
        }
        TrainingCurvePoint[] evals = curve.Where(p => p.Evaluation is not null).ToArray();
        if (evals.Length > 0)
        {
            var auc = plot.Add.Scatter(evals.Select(p => (double)p.Step).ToArray(), evals.Select(p => p.Evaluation!.Auc).ToArray());
            auc.LegendText = "eval AUC";
            auc.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "AUC";
        }
        plot.Title($"{summary.ModelName} on {summary.Device}");
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend();
        plot.SavePng(path, 900, 500);
    }
}
