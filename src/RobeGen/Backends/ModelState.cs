namespace RobeGen.Backends;

/// <summary>
/// All tensors of a model by name, in a fixed order: parameters ("bottom.0.weight", "embedding", ...) and optimizer
/// state ("adagrad.embedding", ...). The unit of checkpoints and of backend equivalence tests.
/// </summary>
public sealed class ModelState
{
    private readonly List<KeyValuePair<string, float[]>> _tensors = new();

    /// <summary>The tensors by name, in the model's order.</summary>
    public IReadOnlyList<KeyValuePair<string, float[]>> Tensors => _tensors;

    /// <summary>Adds tensor <paramref name="name"/> (names are unique).</summary>
    public void Add(string name, float[] values)
    {
        if (_tensors.Exists(t => t.Key == name)) throw new ArgumentException($"Tensor '{name}' is already in the state.", nameof(name));
        _tensors.Add(new(name, values));
    }

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    public float[] this[string name] =>
        _tensors.Find(t => t.Key == name).Value ?? throw new KeyNotFoundException($"The model state has no tensor '{name}'.");

    /// <summary>True when a tensor of this name is present.</summary>
    public bool Contains(string name) => _tensors.Exists(t => t.Key == name);
}
