using RobeGen.Backends;
using RobeGen.Data;

namespace RobeGen.Training;

/// <summary>
/// A few training rows kept to ask the model, before each checkpoint, whether it still predicts probabilities. The
/// NaN scan catches NaN weights; it cannot catch finite weights of 1e6 whose logits overflow, and such a model would
/// otherwise replace a good checkpoint and then fail every evaluation and prediction.
/// </summary>
internal sealed class PredictionProbe
{
    private const int MaxRows = 64;
    private readonly Batch _rows;
    private readonly float[] _predictions;

    private PredictionProbe(Batch rows)
    {
        _rows = rows;
        _predictions = new float[rows.Count];
    }

    /// <summary>A copy of the first rows of <paramref name="batch"/> (batches are reused by their readers).</summary>
    public static PredictionProbe From(Batch batch)
    {
        int rows = Math.Min(batch.Count, MaxRows);
        return new PredictionProbe(BagWriter.CopyRows(batch, rows));
    }

    /// <summary>Throws <see cref="TrainingDivergedException"/> when the model, after <paramref name="stepsDone"/> steps, predicts a non-probability.</summary>
    public void ThrowIfUnusable(IDlrmBackend model, long stepsDone)
    {
        model.Predict(_rows, _predictions);
        try
        {
            UnusableModelException.ThrowIfNotProbabilities(_predictions, i => $"training row {i} of a probe batch");
        }
        catch (UnusableModelException e)
        {
            throw new TrainingDivergedException(stepsDone, e);
        }
    }
}
