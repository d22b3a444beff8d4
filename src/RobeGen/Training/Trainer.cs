using System.Diagnostics;
using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Metrics;

namespace RobeGen.Training;

/// <summary>
/// Trains a model: epochs over the training data, the learning-rate schedule, evaluation every N steps, an early
/// stop at a target AUC, periodic checkpoints. Deterministic on the CPU: a run resumed from a checkpoint ends
/// bit-identical to one that was never interrupted.
/// </summary>
public sealed class Trainer
{
    private readonly IDlrmBackend _model;
    private readonly TrainingOptions _options;
    private readonly ITrainingObserver _observer;
    private readonly Action<TrainingSnapshot>? _saveCheckpoint;
    private readonly TimeProvider _time;
    /// <summary>Rows of the run's first batch, predicted before each checkpoint (null until a step ran).</summary>
    private PredictionProbe? _probe;
    private FittedInputs _inputs = FittedInputs.None;

    /// <param name="model">The model to train (any backend).</param>
    /// <param name="options">Epochs, batch size, schedule, evaluation and checkpoint cadence.</param>
    /// <param name="observer">Progress receiver (optional).</param>
    /// <param name="saveCheckpoint">Called whenever a checkpoint is due (optional) with a snapshot of the run: where it stands
    /// and the model's tensors, exported once and checked finite (a diverged model throws instead); pass it to
    /// <c>ModelCheckpoint.Save</c>, which writes it as it is.</param>
    /// <param name="time">Clock of <see cref="TrainingOptions.CheckpointEveryMinutes"/> (the system clock by default; tests pass their own).</param>
    public Trainer(IDlrmBackend model, TrainingOptions options, ITrainingObserver? observer = null, Action<TrainingSnapshot>? saveCheckpoint = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 1.");
        if (options.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "Epochs must be at least 1.");
        if (options.CheckpointEveryMinutes < 0 || !double.IsFinite(options.CheckpointEveryMinutes))
            throw new ArgumentOutOfRangeException(nameof(options), options.CheckpointEveryMinutes, "CheckpointEveryMinutes must be 0 (off) or positive.");
        _model = model;
        _options = options;
        _observer = observer ?? NullObserver.Instance;
        _saveCheckpoint = saveCheckpoint;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Runs training from <paramref name="resumeFrom"/> (the start by default) and returns the summary. When
    /// <paramref name="cancel"/> is signalled the run stops after the current step (stop reason "interrupted"), skips the
    /// final evaluation and still takes its final checkpoint, so an interrupted run resumes where it stopped.
    /// </summary>
    public TrainingSummary Train(ITrainingData train, ITrainingData? eval = null, TrainingProgressState? resumeFrom = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        (train, eval, _inputs) = InputFitting.Fit(_model, train, eval);
        // Rows evaluated more than once are read once (ahead, while training runs) and replayed from memory when they fit.
        using ReplayedData? replayed = eval is not null && (_options.EvalEverySteps > 0 || _options.Epochs > 1) ? new ReplayedData(eval, ReplayedData.DefaultBudget) : null;
        if (replayed is not null)
        {
            eval = replayed;
            if (_options.EvaluationReadAheadThreads > 0) replayed.ReadAhead(_options.BatchSize, _options.EvaluationReadAheadThreads);
        }
        var run = new TrainingRun(resumeFrom ?? TrainingProgressState.Start, _time.GetTimestamp());
        Func<EvaluationMetrics>? evaluate = null;
        if (eval is not null)
        {
            var evaluator = new Evaluator(_model);
            evaluate = () => evaluator.Evaluate(eval, _options.BatchSize);
        }

        for (int epoch = run.State.Epoch; epoch < _options.Epochs && !run.Stopped; epoch++)
        {
            TrainEpoch(run, train, epoch, evaluate, cancel);
            if (run.Stopped) break;
            run.EpochDone(epoch);
            if (evaluate is not null && _options.EvalEverySteps == 0 && run.LastEvaluationStep != run.State.Step) Evaluate(run, evaluate);
        }
        run.Stop("all epochs done"); // unless it stopped earlier, for a reason that stays

        // An interrupted run skips its final evaluation (it can take long) but still saves where it stands.
        if (evaluate is not null && run.LastEvaluationStep != run.State.Step && !cancel.IsCancellationRequested) Evaluate(run, evaluate);
        else if (run.HasLossSinceCurvePoint) run.AddCurvePoint(null);
        if (_saveCheckpoint is not null && run.LastCheckpointStep != run.State.Step) SaveCheckpoint(run);
        return run.Summary(_model) with { Inputs = _inputs };
    }

    /// <summary>Steps through one epoch's batches, from where the run stands, until the data ends or the run stops.</summary>
    private void TrainEpoch(TrainingRun run, ITrainingData train, int epoch, Func<EvaluationMetrics>? evaluate, CancellationToken cancel)
    {
        DataPosition start = epoch == run.State.Epoch ? run.State.Position : DataPosition.Start;
        using IBatchCursor cursor = train.Open(start, _options.BatchSize);
        while (!run.Stopped)
        {
            if (_options.MaxSteps is long max && run.State.Step >= max)
            {
                run.Stop($"reached {max} steps");
                return;
            }
            if (cancel.IsCancellationRequested)
            {
                run.Stop("interrupted");
                return;
            }
            long waitStart = Stopwatch.GetTimestamp();
            bool more = cursor.MoveNext();
            run.WaitedForInput(Stopwatch.GetElapsedTime(waitStart).TotalSeconds);
            if (!more) return;

            Batch batch = cursor.Current;
            float rate = _options.LearningRate.At(run.State.Step);
            long stepStart = Stopwatch.GetTimestamp();
            _probe ??= PredictionProbe.From(batch);
            float loss = _model.TrainStep(batch, rate);
            double seconds = Stopwatch.GetElapsedTime(stepStart).TotalSeconds;
            if (!float.IsFinite(loss)) throw new TrainingDivergedException(run.State.Step, loss);
            run.StepDone(loss, seconds, epoch, cursor.Position, batch.Count);
            AfterStep(run, epoch, rate, evaluate);
        }
    }

    /// <summary>What is due after a step: a progress report, an evaluation, a checkpoint or else a parameter scan.</summary>
    private void AfterStep(TrainingRun run, int epoch, float rate, Func<EvaluationMetrics>? evaluate)
    {
        long step = run.State.Step;
        if (step % _options.ProgressEverySteps == 0)
        {
            var (meanLoss, rowsPerSecond) = run.TakeProgress();
            _observer.OnProgress(new TrainingProgress(epoch, step, run.State.Rows, rate, meanLoss, rowsPerSecond, run.LastEvaluation));
        }

        if (evaluate is not null && _options.EvalEverySteps > 0 && step % _options.EvalEverySteps == 0) Evaluate(run, evaluate);

        if (_saveCheckpoint is not null && CheckpointDue(step, run.LastCheckpointClock))
        {
            SaveCheckpoint(run);
            run.Checkpointed(_time.GetTimestamp());
        }
        else if (_options.ParameterCheckEverySteps > 0 && step % _options.ParameterCheckEverySteps == 0)
        {
            ParameterHealth.ThrowIfNonFinite(_model, step); // on the device for CUDA (IStateScan): no host copy of the state
        }
    }

    /// <summary>Evaluates, adds the curve point, tells the observer, and stops the run when the target AUC is reached.</summary>
    private void Evaluate(TrainingRun run, Func<EvaluationMetrics> evaluate)
    {
        long start = Stopwatch.GetTimestamp();
        EvaluationMetrics metrics = evaluate();
        run.SpentEvaluating(Stopwatch.GetElapsedTime(start).TotalSeconds);
        run.Evaluated(metrics);
        _observer.OnEvaluation(run.State.Step, metrics);
        if (_options.TargetAuc is double target && metrics.Auc >= target) run.Stop($"AUC {metrics.Auc:F4} reached the target {target}");
    }

    private bool CheckpointDue(long step, long lastCheckpointTime) =>
        (_options.CheckpointEverySteps > 0 && step % _options.CheckpointEverySteps == 0)
        || (_options.CheckpointEveryMinutes > 0 && _time.GetElapsedTime(lastCheckpointTime).TotalMinutes >= _options.CheckpointEveryMinutes);

    /// <summary>
    /// The snapshot scans the whole state and the probe asks the model for predictions first, so a diverged model (NaN
    /// weights, or finite ones that overflow) never replaces a good checkpoint.
    /// </summary>
    private void SaveCheckpoint(TrainingRun run)
    {
        long start = Stopwatch.GetTimestamp();
        TrainingSnapshot snapshot = TrainingSnapshot.Take(_model, run.State) with { Inputs = _inputs };
        _probe?.ThrowIfUnusable(_model, run.State.Step);
        _saveCheckpoint!(snapshot);
        run.SpentCheckpointing(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private sealed class NullObserver : ITrainingObserver
    {
        public static readonly NullObserver Instance = new();
    }
}
