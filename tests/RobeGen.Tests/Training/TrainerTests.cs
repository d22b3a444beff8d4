using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Metrics;
using RobeGen.Tests.TestModels;
using RobeGen.Training;

namespace RobeGen.Tests.Training;

/// <summary>
/// How a run proceeds: when it evaluates, reports progress and stops, and what its curve and summary hold. (Resume,
/// divergence and checkpoint cadence have tests of their own.)
/// </summary>
public sealed class TrainerTests
{
    private const int BatchRows = 8, Batches = 10;
    private static readonly ModelOptions Options = new() { Seed = 3, MaxBatchSize = BatchRows, Threads = 1 };
    private static readonly TestModel Model = TestModel.Tiny();
    private static readonly InMemoryTrainingData Train = Data(Batches, seed: 200), Eval = Data(2, seed: 900);

    private static InMemoryTrainingData Data(int batches, int seed) =>
        new(Enumerable.Range(0, batches).Select(i => TestBatches.Random(Model.Declaration, BatchRows, seed: seed + i)).ToList());

    private sealed class Recorder : ITrainingObserver
    {
        public List<TrainingProgress> Progress { get; } = new();
        public List<long> Evaluations { get; } = new();
        public void OnProgress(TrainingProgress progress) => Progress.Add(progress);
        public void OnEvaluation(long step, EvaluationMetrics metrics) => Evaluations.Add(step);
    }

    private static (TrainingSummary Summary, Recorder Observer) Run(TrainingOptions options, bool withEval = true)
    {
        using IDlrmBackend model = Dlrm.Create(Model, Options);
        var observer = new Recorder();
        TrainingSummary summary = new Trainer(model, options with { BatchSize = BatchRows }, observer).Train(Train, withEval ? Eval : null);
        return (summary, observer);
    }

    [Fact]
    public void Every_n_steps_it_evaluates_and_the_curve_gets_one_point_per_evaluation()
    {
        var (summary, observer) = Run(new TrainingOptions { Epochs = 2, EvalEverySteps = 4 });
        Assert.Equal([4L, 8, 12, 16, 20], observer.Evaluations);
        Assert.Equal([4L, 8, 12, 16, 20], summary.Curve.Select(p => p.Step));
        Assert.All(summary.Curve, p => Assert.True(p.Evaluation is not null && double.IsFinite(p.TrainLoss)));
        Assert.Equal("all epochs done", summary.StopReason);
        Assert.Equal(new TrainingProgressState(20, 2, RobeGen.Data.DataPosition.Start, 20 * BatchRows), summary.Final);
        Assert.Same(summary.Curve[^1].Evaluation, summary.Evaluation);
    }

    [Fact]
    public void Without_a_cadence_it_evaluates_after_each_epoch_and_a_last_time_where_it_stopped()
    {
        Assert.Equal([10L, 20], Run(new TrainingOptions { Epochs = 2 }).Observer.Evaluations);
        // Off the cadence, the run's last step gets an evaluation of its own.
        Assert.Equal([4L, 8, 10], Run(new TrainingOptions { EvalEverySteps = 4 }).Observer.Evaluations);
    }

    [Fact]
    public void Reaching_the_target_auc_stops_the_run_at_that_evaluation()
    {
        var (summary, observer) = Run(new TrainingOptions { Epochs = 3, EvalEverySteps = 3, TargetAuc = 0 });
        Assert.Equal(3, summary.Final.Step);
        Assert.Equal([3L], observer.Evaluations);
        Assert.StartsWith("AUC ", summary.StopReason);
        Assert.EndsWith("reached the target 0", summary.StopReason);

        // At an epoch's end: the run stands at the start of the next epoch, where a resume would continue.
        (summary, observer) = Run(new TrainingOptions { Epochs = 3, TargetAuc = 0 });
        Assert.Equal([10L], observer.Evaluations);
        Assert.Equal((10L, 1), (summary.Final.Step, summary.Final.Epoch));
        Assert.EndsWith("reached the target 0", summary.StopReason);
    }

    [Fact]
    public void A_step_limit_stops_the_run_and_keeps_its_reason_when_the_last_evaluation_then_reaches_the_target()
    {
        var (summary, observer) = Run(new TrainingOptions { Epochs = 2, MaxSteps = 5, TargetAuc = 0 });
        Assert.Equal(5, summary.Final.Step);
        Assert.Equal([5L], observer.Evaluations);
        Assert.Equal("reached 5 steps", summary.StopReason);
    }

    /// <summary>The batches of <paramref name="inner"/>, each after a pause: an input slower than the model.</summary>
    private sealed class SlowData(ITrainingData inner, TimeSpan pause) : ITrainingData
    {
        public string Description => inner.Description;
        public IBatchCursor Open(DataPosition start, int batchSize) => new Cursor(inner.Open(start, batchSize), pause);

        private sealed class Cursor(IBatchCursor inner, TimeSpan pause) : IBatchCursor
        {
            public Batch Current => inner.Current;
            public DataPosition Position => inner.Position;
            public bool MoveNext()
            {
                Thread.Sleep(pause);
                return inner.MoveNext();
            }
            public void Dispose() => inner.Dispose();
        }
    }

    [Fact]
    public void The_summary_says_where_the_wall_time_went()
    {
        using IDlrmBackend model = Dlrm.Create(Model, Options);
        var pause = TimeSpan.FromMilliseconds(15);
        var options = new TrainingOptions { BatchSize = BatchRows, EvalEverySteps = 5, CheckpointEverySteps = 4, EvaluationReadAheadThreads = 0 };
        TrainingSummary summary = new Trainer(model, options, saveCheckpoint: _ => Thread.Sleep(pause))
            .Train(new SlowData(Train, pause), new SlowData(Eval, pause));

        TrainingTimes t = summary.Times;
        // 11 waits for the training batches (the last finds the end); two evaluations, the first reading the rows (3 waits)
        // and the second replaying them from memory; 3 saves (steps 4, 8, 10).
        Assert.InRange(t.InputWait.TotalMilliseconds, 11 * 15 * 0.9, summary.WallTime.TotalMilliseconds);
        Assert.InRange(t.Evaluations.TotalMilliseconds, 3 * 15 * 0.9, summary.WallTime.TotalMilliseconds);
        Assert.InRange(t.Checkpoints.TotalMilliseconds, 3 * 15 * 0.9, summary.WallTime.TotalMilliseconds);
        Assert.True(t.Steps > TimeSpan.Zero);
        Assert.True(t.Steps + t.InputWait + t.Evaluations + t.Checkpoints <= summary.WallTime, $"{t} against {summary.WallTime}");
        // The steps-alone rate divides by the same time (kept to the TimeSpan's 100 ns ticks).
        Assert.Equal(1.0, summary.RowsTrained / t.Steps.TotalSeconds / summary.TrainingRowsPerSecond, 3);
    }

    [Fact]
    public void Without_evaluation_data_the_curve_ends_with_the_mean_training_loss()
    {
        var (summary, observer) = Run(new TrainingOptions { MaxSteps = 7 }, withEval: false);
        Assert.Empty(observer.Evaluations);
        TrainingCurvePoint point = Assert.Single(summary.Curve);
        Assert.Equal((7L, 7L * BatchRows), (point.Step, point.Rows));
        Assert.Null(point.Evaluation);
        Assert.True(point.TrainLoss > 0 && double.IsFinite(point.TrainLoss));
        Assert.Null(summary.Evaluation);
        Assert.True(summary.TrainingRowsPerSecond > 0);
        // The wall-clock rate covers the whole run, so it can only be below the steps-only rate.
        Assert.Equal(7L * BatchRows, summary.RowsTrained);
        Assert.Equal(summary.RowsTrained / summary.WallTime.TotalSeconds, summary.WallRowsPerSecond, 6);
        Assert.True(summary.WallRowsPerSecond <= summary.TrainingRowsPerSecond * 1.0001);
    }

    [Fact]
    public void Progress_comes_every_n_steps_with_the_mean_loss_since_the_last_report()
    {
        var (summary, observer) = Run(new TrainingOptions { ProgressEverySteps = 3, EvalEverySteps = 5 });
        Assert.Equal([3L, 6, 9], observer.Progress.Select(p => p.Step));
        Assert.Equal([3L * BatchRows, 6L * BatchRows, 9L * BatchRows], observer.Progress.Select(p => p.Rows));
        Assert.All(observer.Progress, p => Assert.True(p.RecentLoss > 0 && p.RowsPerSecond > 0));
        Assert.Null(observer.Progress[0].LastEvaluation);          // before the first evaluation (step 5)
        Assert.NotNull(observer.Progress[1].LastEvaluation);
        Assert.Equal(10, summary.Final.Step);
    }

    /// <summary>Cancels its token when told of step <c>at</c> (progress comes every step with ProgressEverySteps = 1).</summary>
    private sealed class CancelAt(CancellationTokenSource cancel, long at) : ITrainingObserver
    {
        public void OnProgress(TrainingProgress progress)
        {
            if (progress.Step == at) cancel.Cancel();
        }
    }

    [Fact]
    public void A_cancelled_run_stops_after_the_current_step_skips_the_evaluation_and_still_checkpoints()
    {
        using IDlrmBackend model = Dlrm.Create(Model, Options);
        using var cancel = new CancellationTokenSource();
        var saved = new List<long>();
        var trainer = new Trainer(model, new TrainingOptions { BatchSize = BatchRows, ProgressEverySteps = 1 }, new CancelAt(cancel, 3),
            saveCheckpoint: s => saved.Add(s.Progress.Step));
        TrainingSummary summary = trainer.Train(Train, Eval, cancel: cancel.Token);
        Assert.Equal(3, summary.Final.Step);
        Assert.Equal("interrupted", summary.StopReason);
        Assert.Null(summary.Evaluation);
        Assert.Equal([3L], saved);
    }
}
