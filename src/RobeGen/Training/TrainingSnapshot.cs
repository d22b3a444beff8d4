using RobeGen.Backends;

namespace RobeGen.Training;

/// <summary>
/// A run at one moment, as a checkpoint stores it: where the run stands and every tensor of the model. <see cref="Take"/>
/// copies the tensors out once (on CUDA, one device-to-host copy) and scans them for NaN and infinity once, so the
/// checkpoint that writes a snapshot needs neither again; it is the only way to make one, so a snapshot is always finite.
/// </summary>
public sealed record TrainingSnapshot
{
    private TrainingSnapshot(TrainingProgressState progress, ModelState state)
    {
        Progress = progress;
        State = state;
    }

    /// <summary>Where the run stands (what a resumed run continues from).</summary>
    public TrainingProgressState Progress { get; }

    /// <summary>Every parameter and optimizer tensor of the model, all finite.</summary>
    public ModelState State { get; }

    /// <summary>The vocabulary and dense statistics the run fitted on its training data (a checkpoint stores them).</summary>
    public FittedInputs Inputs { get; init; } = FittedInputs.None;

    /// <summary>
    /// Exports <paramref name="model"/>'s state and checks it: a model holding NaN or infinity throws
    /// <see cref="TrainingDivergedException"/> (naming the tensor and the step), so no checkpoint is written from it.
    /// </summary>
    public static TrainingSnapshot Take(IDlrmBackend model, TrainingProgressState progress)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelState state = model.ExportState();
        ParameterHealth.ThrowIfNonFinite(state, progress.Step);
        return new TrainingSnapshot(progress, state);
    }
}
