namespace RobeGen.Backends;

/// <summary>The names and lengths of a state's tensors, and the check that a state fits a model before any value is replaced.</summary>
internal static class StateShapes
{
    /// <summary>The shapes of <paramref name="state"/>'s tensors, in its order.</summary>
    public static IReadOnlyList<TensorShape> Of(ModelState state) =>
        state.ChunkedTensors.Select(t => new TensorShape(t.Key, t.Value.Length)).ToList();

    /// <summary>
    /// Throws <see cref="ArgumentException"/> (parameter <paramref name="parameter"/>) naming the first tensor the model
    /// needs that <paramref name="given"/> lacks or holds with another length, or one it has that the model does not.
    /// </summary>
    public static void RequireFit(IReadOnlyList<TensorShape> expected, IReadOnlyList<TensorShape> given, string parameter)
    {
        var lengths = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (TensorShape shape in given) lengths.TryAdd(shape.Name, shape.Length);
        foreach ((string name, long length) in expected)
        {
            if (!lengths.TryGetValue(name, out long actual)) throw new ArgumentException($"The model state has no tensor '{name}'.", parameter);
            if (actual != length) throw new ArgumentException($"Tensor '{name}' has {actual} values; this model needs {length}.", parameter);
        }
        var known = expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (TensorShape shape in given)
            if (!known.Contains(shape.Name))
                throw new ArgumentException($"The model state has a tensor '{shape.Name}' this model does not have (another optimizer or declaration?).", parameter);
    }
}
