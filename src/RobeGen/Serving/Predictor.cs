using System.Globalization;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Training;

namespace RobeGen.Serving;

/// <summary>
/// Serves a trained model: click probabilities for batches, for raw rows or for whole Criteo files. Safe to share
/// between threads: up to <c>instances</c> calls run at once, each on its own copy of the model (more wait for one),
/// and <see cref="Swap"/> replaces the model under load without losing or mixing requests: each call runs wholly on
/// the model that was current when it started.
/// </summary>
public sealed class Predictor : IDisposable
{
    /// <summary>Loads a checkpoint the way the first one was loaded (same definitions and runtime options), for <see cref="Swap"/>.</summary>
    private readonly Func<string, LoadedModel> _load;
    private readonly int _instances;
    private readonly TimeSpan _maxBatchDelay;

    /// <summary>How long a request may wait for others to share its GPU batch while the GPU is busy (CUDA models).</summary>
    public static readonly TimeSpan DefaultMaxBatchDelay = TimeSpan.FromMicroseconds(200);
    private ServingModel _current;
    private long _swaps;

    private Predictor(Func<string, LoadedModel> load, string checkpointPath, int instances, TimeSpan? maxBatchDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instances, 1);
        TimeSpan delay = maxBatchDelay ?? DefaultMaxBatchDelay;
        if (delay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxBatchDelay), delay, "The batching delay cannot be negative.");
        _load = load;
        _instances = instances;
        _maxBatchDelay = delay;
        _current = new ServingModel(load(checkpointPath), instances, delay);
    }

    /// <summary>Loads a checkpoint of <paramref name="definition"/> for prediction.</summary>
    /// <param name="instances">Copies of the model that serve calls in parallel (memory grows with it; each copy is
    /// created when concurrency first needs it). For many small concurrent requests on the CPU, use about one per core
    /// with <see cref="ModelOptions.Threads"/> = 1. A CUDA model ignores it: one instance serves every caller through
    /// dynamic batching (concurrent requests share GPU batches).</param>
    /// <param name="maxBatchDelay">CUDA models: the longest a request waits for others to join its batch while the GPU is busy
    /// (an idle GPU takes a request at once); default <see cref="DefaultMaxBatchDelay"/>.</param>
    public static Predictor Load(string checkpointPath, IDlrmDefinition definition, ModelOptions? runtime = null, int instances = 1,
        TimeSpan? maxBatchDelay = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new Predictor(path => ModelCheckpoint.Load(path, definition, runtime), checkpointPath, instances, maxBatchDelay);
    }

    /// <summary>Loads a checkpoint of any of the <paramref name="known"/> models (e.g. <c>ModelCatalog.Builtin.Values</c>) for prediction.</summary>
    /// <param name="instances">As in <see cref="Load(string, IDlrmDefinition, ModelOptions?, int, TimeSpan?)"/>.</param>
    /// <param name="maxBatchDelay">As in <see cref="Load(string, IDlrmDefinition, ModelOptions?, int, TimeSpan?)"/>.</param>
    public static Predictor Load(string checkpointPath, IEnumerable<IDlrmDefinition> known, ModelOptions? runtime = null, int instances = 1,
        TimeSpan? maxBatchDelay = null)
    {
        IDlrmDefinition[] candidates = [.. known];
        return new Predictor(path => ModelCheckpoint.Load(path, candidates, runtime), checkpointPath, instances, maxBatchDelay);
    }

    public ModelDeclaration Declaration => Volatile.Read(ref _current).Loaded.Model.Declaration;
    public string DeviceName => Volatile.Read(ref _current).Loaded.Model.DeviceName;
    /// <summary>The model being served now.</summary>
    public LoadedModel Loaded => Volatile.Read(ref _current).Loaded;
    /// <summary>How many times <see cref="Swap"/> replaced the model.</summary>
    public long Swaps => Interlocked.Read(ref _swaps);

    /// <summary>
    /// Loads <paramref name="checkpointPath"/> (same definitions and runtime options as the first) and serves it from now
    /// on. Calls already running finish on the old model, which is disposed after the last of them; a checkpoint that
    /// fails to load leaves the current model serving.
    /// </summary>
    public void Swap(string checkpointPath)
    {
        var next = new ServingModel(_load(checkpointPath), _instances, _maxBatchDelay);
        if (next.Loaded.Model.Declaration.Fingerprint != Declaration.Fingerprint)
        {
            next.Retire();
            throw new CheckpointException(checkpointPath, $"it holds {next.Loaded.Model.Declaration.Name}, not the served {Declaration.Name}; a swap keeps the declaration.");
        }
        ServingModel old = Interlocked.Exchange(ref _current, next);
        Interlocked.Increment(ref _swaps);
        old.Retire();
    }

    /// <summary>
    /// Probabilities of a batch of raw rows (dense already transformed as the reader does, tokens raw ids).
    /// The batch's tokens are rewritten in place to vocabulary indices where the model needs them.
    /// </summary>
    public void Predict(Batch batch, Span<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (probabilities.Length < batch.Count)
            throw new ArgumentException($"Room for {probabilities.Length} probabilities; the batch has {batch.Count} rows.", nameof(probabilities));
        ServingModel model = Acquire();
        try
        {
            int maxBatch = model.Loaded.Options.MaxBatchSize;
            if (batch.Count > maxBatch)
                throw new ArgumentException($"The batch has {batch.Count} rows; this predictor was loaded for at most {maxBatch} (ModelOptions.MaxBatchSize).", nameof(batch));
            model.Vocabulary?.Map(batch);
            model.Predict(batch, probabilities);
        }
        finally
        {
            model.Release();
        }
    }

    /// <summary>The current model, counted in (a model retired between reading and counting is passed over).</summary>
    private ServingModel Acquire()
    {
        while (true)
        {
            ServingModel model = Volatile.Read(ref _current);
            if (model.TryAcquire()) return model;
            // Retired yet still current: only Dispose does that (Swap installs the next model before retiring).
            if (ReferenceEquals(model, Volatile.Read(ref _current))) throw new ObjectDisposedException(nameof(Predictor));
        }
    }

    /// <summary>Writes one probability per row of <paramref name="data"/> (raw ids: no vocabulary mapper on it) to
    /// <paramref name="output"/>, in order; returns the row count.</summary>
    public long PredictToWriter(ITrainingData data, TextWriter output, int batchSize = 2048)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(output);
        batchSize = Math.Min(batchSize, Loaded.Options.MaxBatchSize);
        var probabilities = new float[batchSize];
        long rows = 0;
        using IBatchCursor cursor = data.Open(DataPosition.Start, batchSize);
        while (cursor.MoveNext())
        {
            Batch batch = cursor.Current;
            Predict(batch, probabilities);
            // Never a NaN line: a model whose weights overflow is an error, not predictions.
            long first = rows;
            UnusableModelException.ThrowIfNotProbabilities(probabilities.AsSpan(0, batch.Count), i => $"row {first + i + 1:N0} of the input");
            for (int i = 0; i < batch.Count; i++)
                output.WriteLine(probabilities[i].ToString("0.########", CultureInfo.InvariantCulture));
            rows += batch.Count;
        }
        return rows;
    }

    public void Dispose() => Volatile.Read(ref _current).Retire();
}
