namespace RobeGen.Cpu;

/// <summary>
/// The embedding gather's block-start records: [batch, T, MaxBlocks] for single-hot batches, sized once; [ids, MaxBlocks]
/// for multi-hot batches, grown (doubling) when a batch holds more ids than any before it.
/// </summary>
internal sealed class BlockStartBuffer(long initialLength)
{
    public long[] Array { get; private set; } = new long[checked((int)initialLength)];

    /// <summary>Makes <see cref="Array"/> hold at least <paramref name="length"/> records (its values are not kept).</summary>
    public long[] Ensure(long length)
    {
        if (length > Array.Length)
        {
            if (length > System.Array.MaxLength)
                throw new ArgumentException($"A batch needs {length} block-start records; at most {System.Array.MaxLength} fit in one array.");
            Array = new long[Math.Min(System.Array.MaxLength, Math.Max(length, 2L * Array.Length))];
        }
        return Array;
    }
}
