using Microsoft.ML.OnnxRuntime;

namespace OnnxServing;

/// <summary>
/// One ONNX Runtime session over the exported model, shared by all requests (InferenceSession.Run is thread-safe).
/// The model describes itself: the dense input's width and one int64 input per table, read from its metadata.
/// </summary>
public sealed class ClickModel : IDisposable
{
    /// <summary>RobeGen's raw token for a missing id (2^32: outside the 32-bit ids, never equal to a real one).</summary>
    public const long MissingId = 1L << 32;
    private const string DenseInput = "dense", Output = "probability";

    private readonly InferenceSession _session;
    private readonly int _denseFeatures;
    private readonly string[] _tables;

    public ClickModel(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such model file.", path);
        _session = new InferenceSession(path);
        _denseFeatures = _session.InputMetadata[DenseInput].Dimensions[1];
        _tables = _session.InputMetadata.Keys.Where(k => k != DenseInput).ToArray();
        Name = _session.ModelMetadata.CustomMetadataMap.GetValueOrDefault("robegen.declaration", Path.GetFileName(path));
    }

    public string Name { get; }

    public ModelDescription Describe() => new(Name, _denseFeatures, _tables);

    public float[] Predict(IReadOnlyList<Row> rows)
    {
        if (rows is not { Count: > 0 }) throw new BadRequestException("The request has no rows.");
        int n = rows.Count;
        var dense = new float[n * _denseFeatures];
        var ids = _tables.Select(_ => new long[n]).ToArray();
        for (int r = 0; r < n; r++)
        {
            Row row = rows[r];
            if (row.Dense is not { } values || values.Length != _denseFeatures)
                throw new BadRequestException($"Row {r}: 'dense' needs {_denseFeatures} numbers, got {row.Dense?.Length ?? 0}.");
            values.CopyTo(dense, r * _denseFeatures);
            foreach (string name in row.Ids?.Keys ?? Enumerable.Empty<string>())
                if (Array.IndexOf(_tables, name) < 0) throw new BadRequestException($"Row {r}: the model has no table '{name}' (tables: {string.Join(", ", _tables)}).");
            for (int t = 0; t < _tables.Length; t++)
                ids[t][r] = row.Ids is { } given && given.TryGetValue(_tables[t], out ulong id) ? unchecked((long)id) : MissingId;
        }

        var names = new List<string> { DenseInput };
        var inputs = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(dense, [n, _denseFeatures]) };
        for (int t = 0; t < _tables.Length; t++)
        {
            names.Add(_tables[t]);
            inputs.Add(OrtValue.CreateTensorValueFromMemory(ids[t], [n]));
        }
        try
        {
            using var options = new RunOptions();
            using var outputs = _session.Run(options, names, inputs, [Output]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (OrtValue input in inputs) input.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>A request the model cannot answer (answered 400 with this message).</summary>
public sealed class BadRequestException(string message) : Exception(message);
