using RobeGen.Data;

namespace RobeGen.Backends;

/// <summary>
/// A backend that overlaps predictions: while the device computes one batch, the next is uploaded and the previous one's
/// probabilities come back, with no host wait in between. The CUDA backend implements it;
/// <see cref="PredictionPipeline"/> uses it where present and plain <see cref="IDlrmBackend.Predict"/> elsewhere.
/// </summary>
public interface IQueuedPrediction
{
    /// <summary>Predictions that may be queued and not yet read.</summary>
    int MaxQueuedPredictions { get; }

    /// <summary>Predictions queued and not yet read.</summary>
    int QueuedPredictions { get; }

    /// <summary>Queues the prediction of <paramref name="batch"/> and returns without waiting for the device; the batch may be reused
    /// at once. Throws when <see cref="MaxQueuedPredictions"/> are queued: read one first.</summary>
    void EnqueuePredict(Batch batch);

    /// <summary>Waits for the oldest queued prediction and copies its probabilities into <paramref name="probabilities"/>; returns its rows.</summary>
    int ReadPrediction(Span<float> probabilities);
}
