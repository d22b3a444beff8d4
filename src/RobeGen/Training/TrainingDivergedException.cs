using RobeGen.Backends;

namespace RobeGen.Training;

/// <summary>
/// The loss or a parameter became NaN or infinite: training stops rather than write a broken model. The message
/// names the step and the loss or the tensor (layer) and element; checkpoints written before stay as they were.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>The batch loss of step <paramref name="step"/> + 1 (steps done before it: <paramref name="step"/>) is not finite.</summary>
    internal TrainingDivergedException(long step, float loss)
        : base($"Training diverged at step {step + 1}: the batch loss is {loss}. The last checkpoint (if any) is kept; lower the learning rate and resume from it.")
    {
        Step = step + 1;
    }

    /// <summary>After <paramref name="stepsDone"/> steps the model state holds <paramref name="value"/>.</summary>
    internal TrainingDivergedException(long stepsDone, NonFiniteValue value)
        : base($"Training diverged by step {stepsDone}: tensor '{value.Tensor}' holds {value.Value} at element {value.Index:N0}. " +
               "No checkpoint was written from it; the last checkpoint (if any) is kept; lower the learning rate and resume from it.")
    {
        Step = stepsDone;
        Tensor = value.Tensor;
    }

    /// <summary>After <paramref name="stepsDone"/> steps the weights are finite but the model predicts no probability.</summary>
    internal TrainingDivergedException(long stepsDone, UnusableModelException unusable)
        : base($"Training diverged by step {stepsDone}: {unusable.Message} No checkpoint was written from it; the last checkpoint (if any) is kept.",
            unusable)
    {
        Step = stepsDone;
    }

    /// <summary>The step that produced the non-finite value (1-based: the first step is 1), or the steps done when a parameter check found it.</summary>
    public long Step { get; }

    /// <summary>The tensor (layer) holding the non-finite value; null when the loss was the first sign.</summary>
    public string? Tensor { get; }
}
