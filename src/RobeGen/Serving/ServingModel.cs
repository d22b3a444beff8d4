using System.Collections.Concurrent;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Devices;

namespace RobeGen.Serving;

/// <summary>
/// One loaded model as served: its vocabulary mapper and up to N backend instances with the same parameters, so that
/// N requests run at once (a backend's buffers serve one call at a time). Reference-counted: a
/// <see cref="Predictor.Swap"/> retires it, and it is disposed when the last request that acquired it is done.
/// </summary>
internal sealed class ServingModel
{
    private const int RetiredFlag = 1 << 30;
    private readonly ConcurrentBag<IDlrmBackend> _idle = [];
    private readonly SemaphoreSlim _free;
    private int _state; // requests in flight, plus RetiredFlag once retired

    private readonly DynamicBatcher? _batcher;

    public ServingModel(LoadedModel loaded, int instances, TimeSpan maxBatchDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instances, 1);
        Loaded = loaded;
        Vocabulary = loaded.CreateVocabularyMapper();
        Instances = instances;
        _free = new SemaphoreSlim(instances, instances);
        _idle.Add(loaded.Model);
        // A GPU serves concurrent callers best as one stream of large batches: one instance, dynamic batching.
        if (loaded.Model is IQueuedPrediction)
            _batcher = new DynamicBatcher(loaded.Model, loaded.Options.MaxBatchSize, maxBatchDelay);
    }

    /// <summary>The dynamic batcher of a CUDA model (null on the CPU, where instances run calls in parallel).</summary>
    public DynamicBatcher? Batcher => _batcher;

    public LoadedModel Loaded { get; }
    public VocabularyMapper? Vocabulary { get; }
    public int Instances { get; }

    /// <summary>Counts a request in; false once the model is retired (the caller then takes the current one).</summary>
    public bool TryAcquire()
    {
        for (int seen = Volatile.Read(ref _state); ;)
        {
            if ((seen & RetiredFlag) != 0) return false;
            int now = Interlocked.CompareExchange(ref _state, seen + 1, seen);
            if (now == seen) return true;
            seen = now;
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _state) == RetiredFlag) DisposeAll();
    }

    /// <summary>No new requests; disposed as soon as the ones in flight are done.</summary>
    public void Retire()
    {
        if (Interlocked.Or(ref _state, RetiredFlag) == 0) DisposeAll();
    }

    /// <summary>Predicts <paramref name="batch"/> on a free backend instance (creating one, up to <see cref="Instances"/>).</summary>
    public void Predict(Batch batch, Span<float> probabilities)
    {
        if (_batcher is not null)
        {
            _batcher.Predict(batch, probabilities);
            return;
        }
        _free.Wait();
        if (!_idle.TryTake(out IDlrmBackend? backend)) backend = CreateInstance();
        try
        {
            backend.Predict(batch, probabilities);
        }
        finally
        {
            _idle.Add(backend);
            _free.Release();
        }
    }

    private IDlrmBackend CreateInstance()
    {
        IDlrmBackend backend = Dlrm.Create(Loaded.Definition, Loaded.Options);
        // Only host backends get here, whose checkpoint keeps the state (a CUDA one, loaded streamed, serves through its batcher).
        backend.ImportState(Loaded.Checkpoint.State);
        return backend;
    }

    private void DisposeAll()
    {
        _batcher?.Dispose();
        while (_idle.TryTake(out IDlrmBackend? backend)) backend.Dispose();
        _free.Dispose();
    }
}
