using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace RobeGen.Checkpoints;

/// <summary>
/// Where the checkpoint writer puts bytes: a stream (hashing everything written) or nowhere (counting only, to
/// learn the file length that the header records before the real pass).
/// </summary>
internal sealed class CheckpointSink
{
    private readonly Stream? _target;
    private readonly XxHash64 _hash = new();

    public CheckpointSink(Stream? target) => _target = target;

    public long Written { get; private set; }

    /// <summary>False for the counting sink, which learns lengths without being given any tensor value.</summary>
    public bool Writing => _target is not null;

    public ulong Hash => _hash.GetCurrentHashAsUInt64();

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (_target is not null)
        {
            _hash.Append(bytes);
            _target.Write(bytes);
        }
        Written += bytes.Length;
    }

    public void WriteU32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Write(b);
    }

    public void WriteI32(int value) => WriteU32((uint)value);

    public void WriteU64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Write(b);
    }

    public void WriteI64(long value) => WriteU64((ulong)value);

    public void WriteString(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > CheckpointFormat.MaxStringBytes) throw new ArgumentException($"A checkpoint string is limited to {CheckpointFormat.MaxStringBytes} bytes.");
        WriteU32((uint)bytes.Length);
        Write(bytes);
    }

    /// <summary>A piece of a tensor's values (its record's i64 element count is written before the first piece).</summary>
    public void WriteFloats(ReadOnlySpan<float> values) => Write(MemoryMarshal.AsBytes(values));

    /// <summary>Counts <paramref name="bytes"/> of tensor values without being given them (the counting sink only).</summary>
    public void Count(long bytes)
    {
        if (Writing) throw new InvalidOperationException("A writing sink is given every byte it counts.");
        Written = checked(Written + bytes);
    }

    public void WriteU64s(ulong[] values)
    {
        WriteI64(values.Length);
        Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
