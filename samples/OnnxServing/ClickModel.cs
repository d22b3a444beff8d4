using Microsoft.ML.OnnxRuntime;

namespace OnnxServing;

/// <summary>
/// One ONNX Runtime session over the exported model, shared by all requests (InferenceSession.Run is thread-safe).
/// The model describes itself: the dense input's width, its multi-hot tables (metadata robegen.bag_tables), which take
/// their ids jagged as two inputs, TABLE_values [ids] and TABLE_lengths [batch], and one int64 [batch] input per
/// other table.
/// </summary>
public sealed class ClickModel : IDisposable
{
    /// <summary>RobeGen's raw token for a missing id (2^32: outside the 32-bit ids, never equal to a real one).</summary>
    public const long MissingId = 1L << 32;
    private const string DenseInput = "dense", Output = "probability", BagTablesKey = "robegen.bag_tables";

    private readonly InferenceSession _session;
    private readonly int _denseFeatures;
    private readonly string[] _tables;
    private readonly string[] _bagTables;

    public ClickModel(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such model file.", path);
        _session = new InferenceSession(path);
        _denseFeatures = _session.InputMetadata[DenseInput].Dimensions[1];
        _bagTables = _session.ModelMetadata.CustomMetadataMap.TryGetValue(BagTablesKey, out string? bags) ? bags.Split(',') : [];
        var bagInputs = _bagTables.SelectMany(t => new[] { Values(t), Lengths(t) }).ToHashSet();
        _tables = _session.InputMetadata.Keys.Where(k => k != DenseInput && !bagInputs.Contains(k)).ToArray();
        Name = _session.ModelMetadata.CustomMetadataMap.GetValueOrDefault("robegen.declaration", Path.GetFileName(path));
    }

    public string Name { get; }

    public ModelDescription Describe() => new(Name, _denseFeatures, _tables, _bagTables);

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
            CheckNames(r, "ids", row.Ids?.Keys, _tables);
            CheckNames(r, "bags", row.Bags?.Keys, _bagTables);
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
        foreach (string table in _bagTables)
        {
            // Jagged, as the export takes a bag table: every row's ids one after the other, and each row's count
            // (a row that leaves the table out has an empty bag, which pools to zeros).
            ulong[][] bags = rows.Select(row => row.Bags is { } given && given.TryGetValue(table, out ulong[]? bag) ? bag ?? [] : []).ToArray();
            long[] flat = bags.SelectMany(bag => bag).Select(id => unchecked((long)id)).ToArray();
            long[] lengths = bags.Select(bag => (long)bag.Length).ToArray();
            names.Add(Values(table));
            inputs.Add(OrtValue.CreateTensorValueFromMemory(flat, [flat.Length]));
            names.Add(Lengths(table));
            inputs.Add(OrtValue.CreateTensorValueFromMemory(lengths, [n]));
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

    private static string Values(string table) => table + "_values";

    private static string Lengths(string table) => table + "_lengths";

    private static void CheckNames(int row, string field, IEnumerable<string>? given, string[] known)
    {
        foreach (string name in given ?? [])
            if (Array.IndexOf(known, name) < 0)
                throw new BadRequestException($"Row {row}: the model has no table '{name}' in '{field}' (tables there: {string.Join(", ", known)}).");
    }
}

/// <summary>A request the model cannot answer (answered 400 with this message).</summary>
public sealed class BadRequestException(string message) : Exception(message);
