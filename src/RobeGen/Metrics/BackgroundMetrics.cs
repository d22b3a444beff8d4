using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace RobeGen.Metrics;

/// <summary>Checks one batch of predictions before they are added; <paramref name="firstRow"/> is the number of rows added before it.</summary>
internal delegate void PredictionCheck(ReadOnlySpan<float> predictions, long firstRow);

/// <summary>
/// Adds batches of predictions to a <see cref="MetricsAccumulator"/> on a thread of its own, one batch after another in
/// the order given (so the sums, and the metrics, are those of adding them in place). An evaluation on a GPU is bound by
/// the host's work per batch: taking the log-losses and sort keys off the thread that feeds the device lets it queue
/// the next batch sooner. A failed check or add is thrown by the next <see cref="Add"/> or by <see cref="Complete"/>.
/// </summary>
internal sealed class BackgroundMetrics : IDisposable
{
    /// <summary>Batches copied and waiting: enough to ride out a slow one, few enough to hold little memory.</summary>
    private const int MaxWaiting = 8;

    private readonly MetricsAccumulator _metrics;
    private readonly PredictionCheck _check;
    private readonly BlockingCollection<(float[] Predictions, float[] Labels, int Rows)> _waiting = new(MaxWaiting);
    private readonly Task _worker;
    private volatile ExceptionDispatchInfo? _failure;

    public BackgroundMetrics(MetricsAccumulator metrics, PredictionCheck check)
    {
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _check = check ?? throw new ArgumentNullException(nameof(check));
        _worker = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Copies one batch's predictions and labels and queues them (the spans may be reused as soon as this returns).</summary>
    public void Add(ReadOnlySpan<float> predictions, ReadOnlySpan<float> labels)
    {
        if (predictions.Length != labels.Length)
            throw new ArgumentException($"{predictions.Length} predictions but {labels.Length} labels.", nameof(labels));
        _failure?.Throw();
        float[] p = ArrayPool<float>.Shared.Rent(predictions.Length), l = ArrayPool<float>.Shared.Rent(labels.Length);
        predictions.CopyTo(p);
        labels.CopyTo(l);
        _waiting.Add((p, l, predictions.Length));
    }

    /// <summary>Waits until every queued batch is added; throws what a check or an add threw.</summary>
    public void Complete()
    {
        _waiting.CompleteAdding();
        _worker.GetAwaiter().GetResult();
        _failure?.Throw();
    }

    private void Work()
    {
        foreach (var (predictions, labels, rows) in _waiting.GetConsumingEnumerable())
        {
            try
            {
                // After a failure the rest is only drained, so that Add never blocks on a full queue.
                if (_failure is null)
                {
                    _check(predictions.AsSpan(0, rows), _metrics.Count);
                    _metrics.Add(predictions.AsSpan(0, rows), labels.AsSpan(0, rows));
                }
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(predictions);
                ArrayPool<float>.Shared.Return(labels);
            }
        }
    }

    public void Dispose()
    {
        if (!_waiting.IsAddingCompleted) _waiting.CompleteAdding();
        try { _worker.Wait(); }
        catch (AggregateException) { }
        _waiting.Dispose();
    }
}
