using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using RobeGen.Backends;

namespace RobeGen.Checkpoints;

/// <summary>
/// Reads the fields of a checkpoint whose checksum has already been verified, and still never trusts a length:
/// each claimed size is checked against the bytes left before anything is allocated.
/// </summary>
internal sealed class CheckpointSource
{
    private readonly Stream _stream;
    private readonly string _path;
    private long _remaining;

    /// <param name="bodyBytes">Bytes from the current stream position to the trailer.</param>
    public CheckpointSource(Stream stream, string path, long bodyBytes)
    {
        _stream = stream;
        _path = path;
        _remaining = bodyBytes;
    }

    public long Remaining => _remaining;

    private void Take(Span<byte> destination, string what)
    {
        if (destination.Length > _remaining)
            throw Corrupt($"{what} needs {destination.Length} bytes but only {_remaining} remain before the checksum");
        _stream.ReadExactly(destination);
        _remaining -= destination.Length;
    }

    public uint ReadU32(string what)
    {
        Span<byte> b = stackalloc byte[4];
        Take(b, what);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    public int ReadI32(string what) => (int)ReadU32(what);

    public long ReadI64(string what)
    {
        Span<byte> b = stackalloc byte[8];
        Take(b, what);
        return BinaryPrimitives.ReadInt64LittleEndian(b);
    }

    public string ReadString(string what)
    {
        uint length = ReadU32(what + " length");
        if (length > CheckpointFormat.MaxStringBytes || length > _remaining)
            throw Corrupt($"{what} claims {length} bytes, more than the {Math.Min(_remaining, CheckpointFormat.MaxStringBytes)} possible");
        var bytes = new byte[length];
        Take(bytes, what);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Corrupt($"{what} is not valid UTF-8", e);
        }
    }

    /// <summary>A count of records that each take at least <paramref name="minBytesEach"/> bytes.</summary>
    public int ReadCount(string what, int minBytesEach)
    {
        uint count = ReadU32(what);
        if ((long)count * minBytesEach > _remaining)
            throw Corrupt($"{what} claims {count} entries, more than the {_remaining} remaining bytes can hold");
        return (int)count;
    }

    /// <summary>
    /// Passes over an f32[] record of any length without reading its values (they are read later, piece by piece, from
    /// <paramref name="offset"/>); returns its element count, bounded by the bytes left like every other length.
    /// </summary>
    public long SkipFloats(string what, out long offset)
    {
        long length = ReadI64(what + " length");
        if (length < 0 || length > _remaining / sizeof(float))
            throw Corrupt($"{what} claims {length} elements of {sizeof(float)} bytes, but only {_remaining} bytes remain");
        offset = _stream.Position;
        _stream.Seek(length * sizeof(float), SeekOrigin.Current);
        _remaining -= length * sizeof(float);
        return length;
    }

    public ulong[] ReadU64s(string what) => ReadArray<ulong>(what);

    private T[] ReadArray<T>(string what) where T : unmanaged
    {
        long length = ReadI64(what + " length");
        int size = Marshal.SizeOf<T>();
        if (length < 0 || length > _remaining / size || length > Array.MaxLength)
            throw Corrupt($"{what} claims {length} elements of {size} bytes, but only {_remaining} bytes remain");
        var values = new T[length];
        Take(MemoryMarshal.AsBytes(values.AsSpan()), what);
        return values;
    }

    public CheckpointException Corrupt(string problem, Exception? inner = null) => new(_path, $"corrupt: {problem}", inner);
}
