using System.Diagnostics;
using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Metrics;

namespace RobeGen.Training;

/// <summary>
/// One <see cref="Trainer.Train"/> call as it goes: where the run stands, the mean losses since the last curve point
/// and since the last progress report, the curve, the last evaluation and checkpoint, the clocks, and why it stopped.
/// </summary>
/// <param name="start">Where the run starts (a resumed run: where its checkpoint stood).</param>
/// <param name="checkpointClock">The checkpoint clock's timestamp now: the minutes cadence counts from here.</param>
internal sealed class TrainingRun(TrainingProgressState start, long checkpointClock)
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly long _startRows = start.Rows;
    private readonly List<TrainingCurvePoint> _curve = new();
    private double _trainSeconds, _inputSeconds, _evaluationSeconds, _checkpointSeconds;
    private double _curveLossSum, _progressLossSum;
    private long _curveSteps, _progressSteps;

    public TrainingProgressState State { get; private set; } = start;
    public EvaluationMetrics? LastEvaluation { get; private set; }
    /// <summary>The step of the last evaluation (-1: none yet).</summary>
    public long LastEvaluationStep { get; private set; } = -1;
    public long LastCheckpointStep { get; private set; } = start.Step;
    public long LastCheckpointClock { get; private set; } = checkpointClock;
    /// <summary>Why the run stopped; null while it runs.</summary>
    public string? StopReason { get; private set; }
    public bool Stopped => StopReason is not null;

    /// <summary>Records a step done on <paramref name="rows"/> rows: its loss and time, and where the next batch starts.</summary>
    public void StepDone(float loss, double seconds, int epoch, DataPosition next, int rows)
    {
        State = new TrainingProgressState(State.Step + 1, epoch, next, State.Rows + rows);
        _trainSeconds += seconds;
        _curveLossSum += loss;
        _curveSteps++;
        _progressLossSum += loss;
        _progressSteps++;
    }

    /// <summary>Counts time spent waiting for the next batch.</summary>
    public void WaitedForInput(double seconds) => _inputSeconds += seconds;

    /// <summary>Counts time spent evaluating.</summary>
    public void SpentEvaluating(double seconds) => _evaluationSeconds += seconds;

    /// <summary>Counts time spent saving checkpoints.</summary>
    public void SpentCheckpointing(double seconds) => _checkpointSeconds += seconds;

    /// <summary>The next epoch starts at the beginning of the data: records that, so a checkpoint taken now resumes there.</summary>
    public void EpochDone(int epoch) => State = State with { Epoch = epoch + 1, Position = DataPosition.Start };

    /// <summary>The mean loss since the last report (restarting it) and the training rows per second of wall time so far.</summary>
    public (double MeanLoss, double RowsPerSecond) TakeProgress()
    {
        double mean = _progressLossSum / _progressSteps;
        _progressLossSum = 0;
        _progressSteps = 0;
        return (mean, (State.Rows - _startRows) / Math.Max(1e-9, _wall.Elapsed.TotalSeconds));
    }

    public void Evaluated(EvaluationMetrics metrics)
    {
        AddCurvePoint(metrics);
        LastEvaluation = metrics;
        LastEvaluationStep = State.Step;
    }

    /// <summary>Whether steps ran since the last curve point.</summary>
    public bool HasLossSinceCurvePoint => _curveSteps > 0;

    /// <summary>A curve point here: the mean training loss since the previous one (NaN when no step ran), restarting it.</summary>
    public void AddCurvePoint(EvaluationMetrics? evaluation)
    {
        _curve.Add(new TrainingCurvePoint(State.Step, State.Rows, _curveSteps > 0 ? _curveLossSum / _curveSteps : double.NaN, evaluation));
        _curveLossSum = 0;
        _curveSteps = 0;
    }

    public void Checkpointed(long clock)
    {
        LastCheckpointStep = State.Step;
        LastCheckpointClock = clock;
    }

    /// <summary>Stops the run for <paramref name="reason"/>; the first reason given stays.</summary>
    public void Stop(string reason) => StopReason ??= reason;

    public TrainingSummary Summary(IDlrmBackend model) => new(
        model.Declaration.Name, model.DeviceName, State, StopReason ?? throw new InvalidOperationException("The run has not stopped."), LastEvaluation, _curve,
        model.Layout.Size, (State.Rows - _startRows) / Math.Max(1e-9, _trainSeconds), _wall.Elapsed)
    {
        RowsTrained = State.Rows - _startRows,
        Times = new TrainingTimes(TimeSpan.FromSeconds(_trainSeconds), TimeSpan.FromSeconds(_inputSeconds), TimeSpan.FromSeconds(_evaluationSeconds),
            TimeSpan.FromSeconds(_checkpointSeconds)),
    };
}
