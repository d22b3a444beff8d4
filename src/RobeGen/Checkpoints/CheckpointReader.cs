using System.IO.Hashing;
using System.Runtime.InteropServices;
using RobeGen.Backends;

namespace RobeGen.Checkpoints;

/// <summary>Where a tensor's values lie in a checkpoint file.</summary>
internal readonly record struct TensorRecord(TensorShape Shape, long Offset);

/// <summary>
/// A verified checkpoint held open: its magic, length and checksum checked, its fields read and its tensors indexed (name,
/// length, where their values lie) but not read. The values are then read piece by piece, so a tensor larger than the host
/// holds goes from the file to a device, or through a hash, one small buffer at a time; or whole, for a host backend.
/// </summary>
internal sealed class CheckpointReader : IDisposable
{
    private readonly FileStream _file;
    private readonly IReadOnlyList<TensorRecord> _records;

    /// <param name="file">The open file, whose checksum was verified.</param>
    /// <param name="path">The file's path (for messages).</param>
    /// <param name="header">Every field but the tensors (its State is empty).</param>
    /// <param name="records">The tensors, in the file's order, bounded by the file's length.</param>
    public CheckpointReader(FileStream file, string path, Checkpoint header, IReadOnlyList<TensorRecord> records)
    {
        _file = file;
        Path = path;
        Header = header;
        _records = records;
        Tensors = records.Select(r => r.Shape).ToList();
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <summary>Every field of the checkpoint; its <see cref="Checkpoint.State"/> is empty (read it with <see cref="ReadState"/>).</summary>
    public Checkpoint Header { get; }

    /// <summary>The tensors' names and lengths, in the file's order.</summary>
    public IReadOnlyList<TensorShape> Tensors { get; }

    /// <summary>Every tensor read into host chunks of <paramref name="chunkLength"/> floats.</summary>
    public ModelState ReadState(int chunkLength)
    {
        var state = new ModelState();
        foreach ((TensorShape shape, _) in _records)
        {
            ChunkedFloats values = ChunkedFloats.Allocate(shape.Length, chunkLength);
            for (int c = 0; c < values.Chunks.Count; c++) Read(shape.Name, values.ChunkStart(c), values.Chunks[c]);
            state.Add(shape.Name, values);
        }
        return state;
    }

    /// <summary>Reads elements [<paramref name="start"/>, start + values.Length) of tensor <paramref name="tensor"/>.</summary>
    public void Read(string tensor, long start, Span<float> values)
    {
        TensorRecord record = Find(tensor);
        if (start < 0 || start > record.Shape.Length - values.Length)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"Elements [{start}, {start + values.Length}) are past tensor '{tensor}''s {record.Shape.Length}.");
        _file.Position = record.Offset + start * sizeof(float);
        _file.ReadExactly(MemoryMarshal.AsBytes(values));
    }

    /// <summary>
    /// XXH64 of tensor <paramref name="tensor"/>'s bytes, read in pieces: the value <see cref="ChunkedFloats.ContentHash"/>
    /// gives for the same tensor read whole (the same bytes in the same order).
    /// </summary>
    public ulong ContentHash(string tensor, int pieceLength = IStreamedState.DefaultPieceLength)
    {
        TensorShape shape = Find(tensor).Shape;
        var hash = new XxHash64();
        var buffer = new float[(int)Math.Clamp(shape.Length, 1, pieceLength)];
        for (long start = 0; start < shape.Length; start += buffer.Length)
        {
            Span<float> piece = buffer.AsSpan(0, (int)Math.Min(buffer.Length, shape.Length - start));
            Read(tensor, start, piece);
            hash.Append(MemoryMarshal.AsBytes(piece));
        }
        return hash.GetCurrentHashAsUInt64();
    }

    private TensorRecord Find(string tensor) =>
        _records.FirstOrDefault(r => r.Shape.Name == tensor) is { Shape.Name: not null } record ? record
            : throw new KeyNotFoundException($"The checkpoint has no tensor '{tensor}'.");

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}
