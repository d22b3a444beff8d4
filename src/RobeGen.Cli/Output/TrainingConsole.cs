using System.Diagnostics;
using System.Globalization;
using RobeGen.Metrics;
using RobeGen.Training;
using Spectre.Console;

namespace RobeGen.Cli.Output;

/// <summary>
/// The live progress line of a training run: rewritten in place on a terminal (Spectre.Console), one plain line
/// every few seconds when the output is redirected (logs, CI).
/// </summary>
internal sealed class TrainingConsole : ITrainingObserver
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private readonly Stopwatch _sincePrint = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    private LiveDisplayContext? _live;
    private TrainingProgress _last;

    /// <summary>Runs <paramref name="work"/> with the live line shown (on a terminal) and returns its result.</summary>
    public T Run<T>(Func<T> work)
    {
        if (!_interactive) return work();
        T result = default!;
        AnsiConsole.Live(new Markup("starting...")).AutoClear(false).Start(ctx =>
        {
            _live = ctx;
            result = work();
            _live = null;
        });
        return result;
    }

    /// <summary>(step, mean loss since the previous report) of every progress report: the loss line of the training-curve plot.</summary>
    public List<(long Step, double Loss)> LossPoints { get; } = new();

    public void OnProgress(TrainingProgress p)
    {
        _last = p;
        LossPoints.Add((p.Step, p.RecentLoss));
        string line = Format(p);
        if (_live is not null)
        {
            _live.UpdateTarget(new Markup(Markup.Escape(line)));
            _live.Refresh();
        }
        else if (_sincePrint.Elapsed >= PlainInterval)
        {
            Console.WriteLine(line);
            _sincePrint.Restart();
        }
    }

    public void OnEvaluation(long step, EvaluationMetrics metrics)
    {
        string line = string.Create(CultureInfo.InvariantCulture, $"eval @ step {step:N0}: AUC {metrics.Auc:F4}  logloss {metrics.LogLoss:F4}  ({metrics.Count:N0} rows)");
        if (_live is not null) AnsiConsole.MarkupLine(Markup.Escape(line));
        else Console.WriteLine(line);
    }

    public void OnCheckpoint(string path, long step) => OnMessage($"checkpoint @ step {step:N0}: {path}");

    public void OnMessage(string message)
    {
        if (_live is not null) AnsiConsole.MarkupLine(Markup.Escape(message));
        else Console.WriteLine(message);
    }

    private static string Format(TrainingProgress p) => FormattableString.Invariant(
        $"epoch {p.Epoch + 1}  step {p.Step:N0}  rows {p.Rows:N0}  {p.RowsPerSecond:N0} rows/s  loss {p.RecentLoss:F4}  lr {p.LearningRate:G4}")
        + (p.LastEvaluation is { } e ? FormattableString.Invariant($"  last AUC {e.Auc:F4}") : "");
}
