namespace RobeGen.Training;

/// <summary>How a training run proceeds (the model's own choices are in <see cref="Backends.ModelOptions"/>).</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Rows per step.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Learning rate per step (constant 0.1 unless told otherwise, the stock Criteo Kaggle DLRM setting).</summary>
    public LearningRateSchedule LearningRate { get; init; } = LearningRateSchedule.Constant(0.1f);
    /// <summary>Evaluate every this many steps (0: only at the end of each epoch).</summary>
    public long EvalEverySteps { get; init; }
    /// <summary>Stop as soon as an evaluation reaches this AUC (the MLPerf target is 0.8025).</summary>
    public double? TargetAuc { get; init; }
    /// <summary>Stop after this many steps in total (resumed steps included).</summary>
    public long? MaxSteps { get; init; }
    /// <summary>Write a checkpoint here at the end (and every <see cref="CheckpointEverySteps"/> steps).</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>Also checkpoint every this many steps (0: only at the end).</summary>
    public long CheckpointEverySteps { get; init; }
    /// <summary>Also checkpoint once this many minutes have passed since the last checkpoint (0: off). Combines with
    /// <see cref="CheckpointEverySteps"/>: whichever comes first.</summary>
    public double CheckpointEveryMinutes { get; init; }
    /// <summary>
    /// Scan every parameter and optimizer tensor for NaN/infinity every this many steps (0: only before checkpoints).
    /// The loss is checked after every step for free; a full scan reads the whole state once (on the device for CUDA, else
    /// through the host), so it runs before every checkpoint (a diverged model is never written) and at this cadence in
    /// between.
    /// </summary>
    public long ParameterCheckEverySteps { get; init; } = 1000;
    /// <summary>
    /// Threads that read evaluation rows ahead, in the background from the start of training, when they are evaluated more
    /// than once (replayed from memory after the first read): the first evaluation then finds them held, or takes the
    /// pass over where it stands and reads the rest on every core, instead of making the device wait for all of them.
    /// A quarter of the cores by default (at least one): the pass should live on what the training input leaves idle,
    /// and a fast GPU fed rows made on the fly keeps most cores busy (on an H100 with 16 cores, half of them reading
    /// ahead slowed training by about 15% while they ran). 0 reads them at the first evaluation.
    /// </summary>
    public int EvaluationReadAheadThreads { get; init; } = Math.Max(1, Environment.ProcessorCount / 4);
    /// <summary>Report progress to the observer every this many steps.</summary>
    public int ProgressEverySteps { get; init; } = 10;
}
