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

    /// <summary>Runs training from <paramref name="resumeFrom"/> (the start by default) and returns the summary.</summary>
    public TrainingSummary Train(ITrainingData train, ITrainingData? eval = null, TrainingProgressState? resumeFrom = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        TrainingProgressState state = resumeFrom ?? TrainingProgressState.Start;
        var curve = new List<TrainingCurvePoint>();
        var evaluator = eval is null ? null : new Evaluator(_model);
        EvaluationMetrics? lastEval = null;
        long lastEvalStep = -1, lastCheckpointStep = state.Step;
        double lossSum = 0;
        long lossSteps = 0;
        double progressLossSum = 0;
        long progressSteps = 0;
        bool stop = false;
        string stopReason = "all epochs done";
        var clock = Stopwatch.StartNew();
        long startRows = state.Rows;
        double trainSeconds = 0;
        long lastCheckpointTime = _time.GetTimestamp();

        for (int epoch = state.Epoch; epoch < _options.Epochs && !stop; epoch++)
        {
            DataPosition start = epoch == state.Epoch ? state.Position : DataPosition.Start;
            using IBatchCursor cursor = train.Open(start, _options.BatchSize);
            while (!stop)
            {
                if (_options.MaxSteps is long max && state.Step >= max) { stop = true; stopReason = $"reached {max} steps"; break; }
                cancel.ThrowIfCancellationRequested();
                if (!cursor.MoveNext()) break;

                Batch batch = cursor.Current;
                float rate = _options.LearningRate.At(state.Step);
                long stepStart = Stopwatch.GetTimestamp();
                float loss = _model.TrainStep(batch, rate);
                trainSeconds += Stopwatch.GetElapsedTime(stepStart).TotalSeconds;
                if (!float.IsFinite(loss))
                    throw new TrainingDivergedException(state.Step, loss);

                state = new TrainingProgressState(state.Step + 1, epoch, cursor.Position, state.Rows + batch.Count);
                lossSum += loss; lossSteps++;
                progressLossSum += loss; progressSteps++;

                if (state.Step % _options.ProgressEverySteps == 0)
                {
                    _observer.OnProgress(new TrainingProgress(epoch, state.Step, state.Rows, rate, progressLossSum / progressSteps,
                        (state.Rows - startRows) / Math.Max(1e-9, clock.Elapsed.TotalSeconds), lastEval));
                    progressLossSum = 0; progressSteps = 0;
                }

                if (evaluator is not null && _options.EvalEverySteps > 0 && state.Step % _options.EvalEverySteps == 0)
                {
                    lastEval = Evaluate(evaluator, eval!, state, curve, ref lossSum, ref lossSteps);
                    lastEvalStep = state.Step;
                    if (_options.TargetAuc is double target && lastEval.Auc >= target) { stop = true; stopReason = $"AUC {lastEval.Auc:F4} reached the target {target}"; }
                }

                if (_saveCheckpoint is not null && CheckpointDue(state.Step, lastCheckpointTime))
                {
                    SaveCheckpoint(state);
                    lastCheckpointStep = state.Step;
                    lastCheckpointTime = _time.GetTimestamp();
                }
                else if (_options.ParameterCheckEverySteps > 0 && state.Step % _options.ParameterCheckEverySteps == 0)
                {
                    ParameterHealth.ThrowIfNonFinite(_model.ExportState(), state.Step);
                }
            }

            if (!stop)
            {
                // The next epoch starts at the beginning of the data: record that, so a checkpoint taken now resumes there.
                state = state with { Epoch = epoch + 1, Position = DataPosition.Start };
                if (evaluator is not null && _options.EvalEverySteps == 0 && lastEvalStep != state.Step)
                {
                    lastEval = Evaluate(evaluator, eval!, state, curve, ref lossSum, ref lossSteps);
                    lastEvalStep = state.Step;
                    if (_options.TargetAuc is double target && lastEval.Auc >= target) { stop = true; stopReason = $"AUC {lastEval.Auc:F4} reached the target {target}"; }
                }
            }
        }

        if (evaluator is not null && lastEvalStep != state.Step)
            lastEval = Evaluate(evaluator, eval!, state, curve, ref lossSum, ref lossSteps);
        else if (lossSteps > 0)
            curve.Add(new TrainingCurvePoint(state.Step, state.Rows, lossSum / lossSteps, null));

        if (_saveCheckpoint is not null && lastCheckpointStep != state.Step)
            SaveCheckpoint(state);

        ModelSize size = _model.Layout.Size;
        return new TrainingSummary(
            _model.Declaration.Name, _model.DeviceName, state, stopReason, lastEval, curve,
            size, (state.Rows - startRows) / Math.Max(1e-9, trainSeconds), clock.Elapsed);
    }

    private bool CheckpointDue(long step, long lastCheckpointTime) =>
        (_options.CheckpointEverySteps > 0 && step % _options.CheckpointEverySteps == 0)
        || (_options.CheckpointEveryMinutes > 0 && _time.GetElapsedTime(lastCheckpointTime).TotalMinutes >= _options.CheckpointEveryMinutes);

    /// <summary>The snapshot scans the whole state first, so a diverged model never replaces a good checkpoint.</summary>
    private void SaveCheckpoint(TrainingProgressState state) => _saveCheckpoint!(TrainingSnapshot.Take(_model, state));

    private EvaluationMetrics Evaluate(Evaluator evaluator, ITrainingData eval, TrainingProgressState state,
        List<TrainingCurvePoint> curve, ref double lossSum, ref long lossSteps)
    {
        EvaluationMetrics metrics = evaluator.Evaluate(eval, _options.BatchSize);
        curve.Add(new TrainingCurvePoint(state.Step, state.Rows, lossSteps > 0 ? lossSum / lossSteps : double.NaN, metrics));
        lossSum = 0; lossSteps = 0;
        _observer.OnEvaluation(state.Step, metrics);
        return metrics;
    }

    private sealed class NullObserver : ITrainingObserver
    {
        public static readonly NullObserver Instance = new();
    }
}
