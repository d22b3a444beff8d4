namespace RobeGen.Backends;

/// <summary>
/// A float tensor of any length, held as consecutive chunks of at most <see cref="MaxChunkLength"/> floats (every chunk
/// but the last exactly <see cref="ChunkLength"/> long), so a tensor larger than one .NET array (such as the embedding
/// of big Full tables) can live on the host, be exported, imported and checkpointed. A tensor that fits one array is
/// usually one chunk: <see cref="Wrap"/> takes an array as it is, without copying.
/// </summary>
public sealed class ChunkedFloats
{
    /// <summary>The largest chunk <see cref="Allocate(long)"/> makes: 2^30 floats (4 GiB).</summary>
    public const int MaxChunkLength = 1 << 30;

    private readonly float[][] _chunks;

    private ChunkedFloats(float[][] chunks, int chunkLength, long length)
    {
        _chunks = chunks;
        ChunkLength = chunkLength;
        Length = length;
    }

    /// <summary>Floats in the tensor.</summary>
    public long Length { get; }

    /// <summary>Floats in every chunk but the last (which holds the rest).</summary>
    public int ChunkLength { get; }

    /// <summary>The chunks in order; chunk c holds elements [c * ChunkLength, c * ChunkLength + Chunks[c].Length).</summary>
    public IReadOnlyList<float[]> Chunks => _chunks;

    /// <summary>True when the tensor is one array (<see cref="ToArray"/> returns it without copying).</summary>
    public bool IsSingleArray => _chunks.Length == 1;

    /// <summary>A zeroed tensor of <paramref name="length"/> floats in chunks of <see cref="MaxChunkLength"/>.</summary>
    public static ChunkedFloats Allocate(long length) => Allocate(length, MaxChunkLength);

    /// <summary>A zeroed tensor in chunks of <paramref name="chunkLength"/> floats (tests use small chunks to cross chunk boundaries).</summary>
    internal static ChunkedFloats Allocate(long length, int chunkLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkLength, Array.MaxLength);
        if (length <= chunkLength) return new ChunkedFloats([new float[length]], (int)Math.Max(1, length), length);
        long count = (length + chunkLength - 1) / chunkLength;
        var chunks = new float[count][];
        for (long c = 0; c < count; c++) chunks[c] = new float[Math.Min(chunkLength, length - c * chunkLength)];
        return new ChunkedFloats(chunks, chunkLength, length);
    }

    /// <summary>The array as a one-chunk tensor (not copied: changes to either show in both).</summary>
    public static ChunkedFloats Wrap(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new ChunkedFloats([values], Math.Max(1, values.Length), values.Length);
    }

    /// <summary>Element <paramref name="index"/> (0 &lt;= index &lt; <see cref="Length"/>).</summary>
    public float this[long index]
    {
        get
        {
            (int chunk, int offset) = Locate(index);
            return _chunks[chunk][offset];
        }
        set
        {
            (int chunk, int offset) = Locate(index);
            _chunks[chunk][offset] = value;
        }
    }

    /// <summary>Index of the first element of chunk <paramref name="chunk"/>.</summary>
    public long ChunkStart(int chunk) => (long)chunk * ChunkLength;

    /// <summary>
    /// The tensor as one array: the chunk itself for a one-chunk tensor, else a copy; a tensor longer than one array
    /// can hold is refused with <see cref="InvalidOperationException"/> (read it chunk by chunk).
    /// </summary>
    public float[] ToArray()
    {
        if (IsSingleArray) return _chunks[0];
        if (Length > Array.MaxLength)
            throw new InvalidOperationException(
                $"This tensor has {Length:N0} floats, more than one array holds ({Array.MaxLength:N0}); read it chunk by chunk (Chunks).");
        var values = new float[Length];
        CopyTo(values);
        return values;
    }

    /// <summary>Copies elements [<paramref name="start"/>, start + destination.Length) into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<float> destination, long start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        if (start + destination.Length > Length)
            throw new ArgumentException($"Elements [{start}, {start + destination.Length}) are past the tensor's {Length}.", nameof(destination));
        while (!destination.IsEmpty)
        {
            (int chunk, int offset) = Locate(start);
            int n = Math.Min(destination.Length, _chunks[chunk].Length - offset);
            _chunks[chunk].AsSpan(offset, n).CopyTo(destination);
            destination = destination[n..];
            start += n;
        }
    }

    /// <summary>Copies <paramref name="source"/> into elements [<paramref name="start"/>, start + source.Length).</summary>
    public void CopyFrom(ReadOnlySpan<float> source, long start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        if (start + source.Length > Length)
            throw new ArgumentException($"Elements [{start}, {start + source.Length}) are past the tensor's {Length}.", nameof(source));
        while (!source.IsEmpty)
        {
            (int chunk, int offset) = Locate(start);
            int n = Math.Min(source.Length, _chunks[chunk].Length - offset);
            source[..n].CopyTo(_chunks[chunk].AsSpan(offset, n));
            source = source[n..];
            start += n;
        }
    }

    /// <summary>
    /// XXH64 of the tensor's bytes (its floats in order, little-endian, as a checkpoint stores them): bit-equal tensors
    /// hash alike, whatever their chunking, so two checkpoints' parameters can be compared by their hashes alone.
    /// </summary>
    public ulong ContentHash()
    {
        var hash = new System.IO.Hashing.XxHash64();
        foreach (float[] chunk in _chunks)
        {
            Span<float> values = chunk;
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Checkpoint bytes are little-endian.");
            hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
        }
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>True when both tensors have the same length and the same bits in every element.</summary>
    public bool BitEquals(ChunkedFloats other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Length != Length) return false;
        var buffer = new float[(int)Math.Min(Length, 1 << 16)];
        for (long start = 0; start < Length; start += buffer.Length)
        {
            Span<float> part = buffer.AsSpan(0, (int)Math.Min(buffer.Length, Length - start));
            other.CopyTo(part, start);
            (int chunk, int offset) = Locate(start);
            for (int i = 0; i < part.Length;)
            {
                int n = Math.Min(part.Length - i, _chunks[chunk].Length - offset);
                if (!System.Runtime.InteropServices.MemoryMarshal.AsBytes(_chunks[chunk].AsSpan(offset, n))
                        .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(part.Slice(i, n))))
                    return false;
                i += n;
                chunk++;
                offset = 0;
            }
        }
        return true;
    }

    private (int Chunk, int Offset) Locate(long index)
    {
        if ((ulong)index >= (ulong)Length) throw new ArgumentOutOfRangeException(nameof(index), index, $"The tensor has {Length} floats.");
        return ((int)(index / ChunkLength), (int)(index % ChunkLength));
    }
}
