namespace RobeGen.Cpu.Quantized;

/// <summary>
/// Consecutive ranges of a layer's inputs that get their own activation scale and zero point per row. A layer
/// whose inputs mix very different magnitudes (the top MLP's first layer: the bottom MLP's outputs, then the dot
/// products) would otherwise quantize the small ones to a few levels of one shared step. Every range after the first
/// starts on a whole quad (a multiple of <see cref="Int8MicroKernel.KStep"/>), so each is a run of whole quads.
/// </summary>
internal sealed class InputGroups
{
    private readonly int[] _starts;

    /// <param name="width">Inputs of the layer.</param>
    /// <param name="starts">First input of each group after the first (the first starts at 0); increasing, multiples of 4.</param>
    public InputGroups(int width, params int[] starts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Width = width;
        _starts = [0, .. starts];
        for (int g = 1; g < _starts.Length; g++)
        {
            if (_starts[g] <= _starts[g - 1] || _starts[g] >= width || _starts[g] % Int8MicroKernel.KStep != 0)
                throw new ArgumentException($"Group starts must increase, lie inside the {width} inputs and be multiples of {Int8MicroKernel.KStep}: {string.Join(", ", starts)}.", nameof(starts));
        }
    }

    /// <summary>One group: all inputs share a scale.</summary>
    public static InputGroups Single(int width) => new(width);

    public int Width { get; }
    public int Count => _starts.Length;
    public int Start(int group) => _starts[group];
    public int End(int group) => group + 1 < _starts.Length ? _starts[group + 1] : Width;
    /// <summary>First quad of the group.</summary>
    public int FirstQuad(int group) => _starts[group] / Int8MicroKernel.KStep;
    /// <summary>Quads of the group (the last one rounded up over the padding).</summary>
    public int Quads(int group) => (End(group) + Int8MicroKernel.KStep - 1) / Int8MicroKernel.KStep - FirstQuad(group);
}
