namespace RobeGen.Lab.Equivalence;

/// <summary>
/// Everything one training step computes before its update, copied to the host: activations of every layer, the
/// loss, and the gradients of every activation and parameter. Produced by the CUDA backend and by
/// <see cref="ReferenceDlrm"/> so the two can be compared layer by layer.
/// </summary>
internal sealed class StepTrace
{
    /// <summary>Tensors in the order the step produces them; names such as "bottom.0 output", "top.1.weight gradient".</summary>
    public List<KeyValuePair<string, float[]>> Tensors { get; } = new();

    public float Loss { get; set; }

    public void Add(string name, float[] values) => Tensors.Add(new(name, values));

    public float[] this[string name] =>
        Tensors.Find(t => t.Key == name).Value ?? throw new KeyNotFoundException($"The step trace has no tensor '{name}'.");

    public bool Contains(string name) => Tensors.Exists(t => t.Key == name);
}
