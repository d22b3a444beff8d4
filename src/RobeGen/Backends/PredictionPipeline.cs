using RobeGen.Data;

namespace RobeGen.Backends;

/// <summary>Receives the probabilities of batch <paramref name="index"/> (in order) with the labels the batch carried.</summary>
public delegate void PredictionSink(int index, ReadOnlySpan<float> probabilities, ReadOnlySpan<float> labels);

/// <summary>
/// Predicts a stream of batches in order, keeping the device busy: on a backend with <see cref="IQueuedPrediction"/> (CUDA)
/// batch i + 1 is queued before batch i's results are read, so uploads, compute and downloads overlap; elsewhere one batch
/// at a time. The batches may be reused by their producer as soon as the next one is requested (a cursor's contract).
/// </summary>
public static class PredictionPipeline
{
    /// <summary>Predicts every batch in order and hands each one's probabilities to <paramref name="sink"/>.</summary>
    public static void Run(IDlrmBackend model, IEnumerable<Batch> batches, PredictionSink sink)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(sink);
        float[] probabilities = [];
        if (model is not IQueuedPrediction queued)
        {
            int index = 0;
            foreach (Batch batch in batches)
            {
                if (probabilities.Length < batch.Count) probabilities = new float[batch.Count];
                model.Predict(batch, probabilities);
                sink(index++, probabilities.AsSpan(0, batch.Count), batch.LabelSpan);
            }
            return;
        }
        if (queued.QueuedPredictions != 0) throw new InvalidOperationException("The model has unread queued predictions.");
        // The labels of each batch in flight, copied: its Batch object may be refilled before its results are read.
        var labels = new Queue<float[]>();
        int next = 0;
        void ReadOldest()
        {
            float[] batchLabels = labels.Dequeue();
            if (probabilities.Length < batchLabels.Length) probabilities = new float[Math.Max(batchLabels.Length, 1)];
            int rows = queued.ReadPrediction(probabilities);
            sink(next++, probabilities.AsSpan(0, rows), batchLabels.AsSpan(0, rows));
        }
        foreach (Batch batch in batches)
        {
            if (queued.QueuedPredictions >= queued.MaxQueuedPredictions) ReadOldest();
            queued.EnqueuePredict(batch);
            labels.Enqueue(batch.LabelSpan.ToArray());
        }
        while (labels.Count > 0) ReadOldest();
    }

    /// <summary>The batches of a cursor as a sequence (each valid until the next is requested).</summary>
    public static IEnumerable<Batch> Batches(IBatchCursor cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        while (cursor.MoveNext()) yield return cursor.Current;
    }
}
