namespace RobeGen.Backends;

/// <summary>
/// All tensors of a model by name, in a fixed order: parameters ("bottom.0.weight", "embedding", ...) and optimizer
/// state ("adagrad.embedding", ...). The unit of checkpoints and of backend equivalence tests. Every tensor is a
/// <see cref="ChunkedFloats"/>: one array for all but a very large embedding, which is held in several chunks (read
/// those through <see cref="ChunkedTensors"/> and <see cref="Chunked"/>; the array views refuse them).
/// </summary>
public sealed class ModelState
{
    private readonly List<KeyValuePair<string, ChunkedFloats>> _tensors = new();

    /// <summary>
    /// The tensors by name, in the model's order, each as one array. A tensor held in several chunks is joined into one
    /// array (a copy), or refused with <see cref="InvalidOperationException"/> when it is longer than one array holds: read
    /// <see cref="ChunkedTensors"/> then.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, float[]>> Tensors =>
        _tensors.Select(t => new KeyValuePair<string, float[]>(t.Key, ArrayOf(t.Key, t.Value))).ToList();

    /// <summary>The tensors by name, in the model's order, as chunked tensors (any length).</summary>
    public IReadOnlyList<KeyValuePair<string, ChunkedFloats>> ChunkedTensors => _tensors;

    /// <summary>Adds tensor <paramref name="name"/> (names are unique); the array is kept, not copied.</summary>
    public void Add(string name, float[] values) => Add(name, ChunkedFloats.Wrap(values));

    /// <summary>Adds tensor <paramref name="name"/> held in chunks (names are unique); kept, not copied.</summary>
    public void Add(string name, ChunkedFloats values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (_tensors.Exists(t => t.Key == name)) throw new ArgumentException($"Tensor '{name}' is already in the state.", nameof(name));
        _tensors.Add(new(name, values));
    }

    /// <summary>The tensor named <paramref name="name"/> as one array (see <see cref="Tensors"/> for a tensor in several chunks).</summary>
    public float[] this[string name] => ArrayOf(name, Chunked(name));

    /// <summary>The tensor named <paramref name="name"/> as a chunked tensor (any length).</summary>
    public ChunkedFloats Chunked(string name) =>
        _tensors.Find(t => t.Key == name).Value ?? throw new KeyNotFoundException($"The model state has no tensor '{name}'.");

    /// <summary>True when a tensor of this name is present.</summary>
    public bool Contains(string name) => _tensors.Exists(t => t.Key == name);

    private static float[] ArrayOf(string name, ChunkedFloats values)
    {
        try
        {
            return values.ToArray();
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"Tensor '{name}': {e.Message}", e);
        }
    }
}
