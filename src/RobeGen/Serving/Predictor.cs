using System.Globalization;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Data;

namespace RobeGen.Serving;

/// <summary>
/// Serves a trained model: click probabilities for batches, for raw rows or for whole Criteo files. Safe to share
/// between threads (calls into the model are serialized; each call's buffers are its own).
/// </summary>
public sealed class Predictor : IDisposable
{
    private readonly LoadedModel _loaded;
    private readonly VocabularyMapper? _vocabulary;
    private readonly Lock _modelLock = new();

    private Predictor(LoadedModel loaded)
    {
        _loaded = loaded;
        _vocabulary = loaded.CreateVocabularyMapper();
    }

    /// <summary>Loads a checkpoint (of a built-in model, or of <paramref name="definition"/>) for prediction.</summary>
    public static Predictor Load(string checkpointPath, IDlrmDefinition? definition = null, ModelOptions? runtime = null) =>
        new(ModelCheckpoint.Load(checkpointPath, definition, runtime));

    public ModelDeclaration Declaration => _loaded.Model.Declaration;
    public string DeviceName => _loaded.Model.DeviceName;
    public LoadedModel Loaded => _loaded;
    private int MaxBatch => _loaded.Options.MaxBatchSize;

    /// <summary>
    /// Probabilities of a batch of raw rows (dense already transformed as the reader does, tokens raw ids).
    /// The batch's tokens are rewritten in place to vocabulary indices where the model needs them.
    /// </summary>
    public void Predict(Batch batch, Span<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (probabilities.Length < batch.Count)
            throw new ArgumentException($"Room for {probabilities.Length} probabilities; the batch has {batch.Count} rows.", nameof(probabilities));
        if (batch.Count > MaxBatch)
            throw new ArgumentException($"The batch has {batch.Count} rows; this predictor was loaded for at most {MaxBatch} (ModelOptions.MaxBatchSize).", nameof(batch));
        _vocabulary?.Map(batch);
        lock (_modelLock) _loaded.Model.Predict(batch, probabilities);
    }

    /// <summary>Writes one probability per row of <paramref name="data"/> (raw ids: no vocabulary mapper on it) to
    /// <paramref name="output"/>, in order; returns the row count.</summary>
    public long PredictToWriter(ITrainingData data, TextWriter output, int batchSize = 2048)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(output);
        batchSize = Math.Min(batchSize, MaxBatch);
        var probabilities = new float[batchSize];
        long rows = 0;
        using IBatchCursor cursor = data.Open(DataPosition.Start, batchSize);
        while (cursor.MoveNext())
        {
            Batch batch = cursor.Current;
            Predict(batch, probabilities);
            for (int i = 0; i < batch.Count; i++)
                output.WriteLine(probabilities[i].ToString("0.########", CultureInfo.InvariantCulture));
            rows += batch.Count;
        }
        return rows;
    }

    public void Dispose() => _loaded.Model.Dispose();
}
