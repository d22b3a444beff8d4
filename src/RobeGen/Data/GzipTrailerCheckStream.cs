using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace RobeGen.Data;

/// <summary>
/// Fallback truncation check for when the runtime's strict gzip validation is off: decompresses, computes the
/// CRC-32 and size of the output, and at the end compares them with the gzip trailer (the file's last 8 bytes).
/// This covers single-member gzip files (what gzip and pigz write); the trailer of a concatenated multi-member
/// file describes only its last member, so such a file is reported as corrupt here.
/// </summary>
internal sealed class GzipTrailerCheckStream : Stream
{
    private readonly GZipStream _inner;
    private readonly uint _expectedCrc;
    private readonly uint _expectedSize;
    private readonly Crc32 _crc = new();
    private long _produced;
    private bool _verified;

    private GzipTrailerCheckStream(GZipStream inner, uint expectedCrc, uint expectedSize)
    {
        _inner = inner;
        _expectedCrc = expectedCrc;
        _expectedSize = expectedSize;
    }

    public static GzipTrailerCheckStream Open(FileStream file)
    {
        if (file.Length < 18) throw new InvalidDataException("The gzip file is shorter than a gzip header and trailer: it is truncated.");
        Span<byte> trailer = stackalloc byte[8];
        file.Position = file.Length - 8;
        file.ReadExactly(trailer);
        file.Position = 0;
        return new GzipTrailerCheckStream(
            new GZipStream(file, CompressionMode.Decompress, leaveOpen: false),
            BinaryPrimitives.ReadUInt32LittleEndian(trailer),
            BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]));
    }

    public override int Read(Span<byte> buffer)
    {
        int read = _inner.Read(buffer);
        if (read > 0)
        {
            _crc.Append(buffer[..read]);
            _produced += read;
        }
        else if (!buffer.IsEmpty && !_verified)
        {
            _verified = true;
            if (_crc.GetCurrentHashAsUInt32() != _expectedCrc || (uint)_produced != _expectedSize)
                throw new InvalidDataException(
                    $"The decompressed data ({_produced} bytes) does not match the gzip trailer's CRC-32 and size: the file is truncated or corrupt " +
                    $"(or a concatenated multi-member gzip, which needs the {GzipIntegrity.StrictValidationSwitch} switch that this process turned off).");
        }
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _produced; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
