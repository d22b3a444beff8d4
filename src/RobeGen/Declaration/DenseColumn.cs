namespace RobeGen;

/// <summary>One dense input of a declared model: the data column it reads and how its value is transformed.</summary>
/// <param name="Name">Column name in the data (I1..I13 for the Criteo layout).</param>
/// <param name="Transform">How the raw value becomes the model's input.</param>
public sealed record DenseColumn(string Name, DenseTransform Transform);
