namespace RobeGen.Training;

/// <summary>
/// A model whose weights are finite yet cannot predict: a prediction is NaN or outside [0, 1] (weights so large
/// that the logits overflow, typically after too high a learning rate). Raised instead of writing such predictions or
/// saving such a model over a good checkpoint.
/// </summary>
public sealed class UnusableModelException : Exception
{
    internal UnusableModelException(string message) : base(message) { }

    /// <summary>Throws when a probability of <paramref name="predictions"/> is NaN or outside [0, 1]; <paramref name="where"/>
    /// describes the rows ("row 1,234 of the input") given the index of the bad one.</summary>
    internal static void ThrowIfNotProbabilities(ReadOnlySpan<float> predictions, Func<int, string> where)
    {
        for (int i = 0; i < predictions.Length; i++)
        {
            float p = predictions[i];
            if (!(p >= 0f && p <= 1f))
                throw new UnusableModelException($"The model predicts {p} for {where(i)}, not a probability: its weights are unusable " +
                    "(they overflow; a run with too high a learning rate does this). Use an earlier checkpoint.");
        }
    }
}
