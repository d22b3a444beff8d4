using RobeGen.Backends;

namespace RobeGen.Training;

/// <summary>
/// A run at one moment, as a checkpoint stores it: where the run stands and every tensor of the model, checked for NaN and
/// infinity once by <see cref="Take"/> (the only way to make one), so the checkpoint that writes a snapshot needs no scan
/// again. A backend that streams its state (CUDA) is not copied out: the snapshot reads the model's tensors piece by piece
/// when it is written, so it must be written before the model changes (the trainer calls its saver at once); other backends'
/// state is exported once into <see cref="State"/>.
/// </summary>
public sealed record TrainingSnapshot
{
    private TrainingSnapshot(TrainingProgressState progress, ModelState? state, IStreamedState tensors)
    {
        Progress = progress;
        State = state;
        Tensors = tensors;
    }

    /// <summary>Where the run stands (what a resumed run continues from).</summary>
    public TrainingProgressState Progress { get; }

    /// <summary>
    /// Every parameter and optimizer tensor of the model, all finite; null when the model streams its state (CUDA), whose
    /// tensors stay on the device until the checkpoint writes them.
    /// </summary>
    public ModelState? State { get; }

    /// <summary>The tensors a checkpoint writes: <see cref="State"/>'s, or the model's read piece by piece.</summary>
    internal IStreamedState Tensors { get; }

    /// <summary>The vocabulary and dense statistics the run fitted on its training data (a checkpoint stores them).</summary>
    public FittedInputs Inputs { get; init; } = FittedInputs.None;

    /// <summary>
    /// Checks <paramref name="model"/>'s state and, unless the backend streams it, exports it: a model holding NaN or infinity
    /// throws <see cref="TrainingDivergedException"/> (naming the tensor and the step), so no checkpoint is written from it.
    /// </summary>
    public static TrainingSnapshot Take(IDlrmBackend model, TrainingProgressState progress)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is IStreamedState streamed)
        {
            // A scan where the state lives (or one pass through a small buffer) now, one pass when written: no host copy
            // of an embedding of any size.
            ParameterHealth.ThrowIfNonFinite(model, progress.Step);
            return new TrainingSnapshot(progress, null, streamed);
        }
        ModelState state = model.ExportState();
        ParameterHealth.ThrowIfNonFinite(state, progress.Step);
        return new TrainingSnapshot(progress, state, new HostStateStream(state));
    }
}
