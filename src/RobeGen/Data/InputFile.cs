using System.IO.Compression;

namespace RobeGen.Data;

/// <summary>
/// Opens a data file for sequential reading: gzip is recognized by its magic bytes (1f 8b), not by the name,
/// and is decompressed on the fly with truncation detection (see <see cref="GzipIntegrity"/>).
/// </summary>
internal static class InputFile
{
    private const int FileBufferBytes = 1 << 16;

    /// <param name="forceTrailerCheck">Use the trailer check even where the runtime detects truncation (tests).</param>
    public static Stream OpenRead(string path, bool forceTrailerCheck = false)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferBytes, FileOptions.SequentialScan);
        try
        {
            if (!file.CanSeek)
                throw new DataFormatException(path, 0, null, 0, "is a pipe or a device, not a file: the data is read more than once " +
                    "(every epoch, evaluation and resume reopens it, and a hold-out split counts its lines first), so it must be a " +
                    "seekable file; save it to a file first");
            if (!IsGzip(file)) return file;
            if (GzipIntegrity.RuntimeDetectsTruncation && !forceTrailerCheck)
                return new GZipStream(file, CompressionMode.Decompress, leaveOpen: false);
            // The process turned strict validation off before we could turn it on: check the trailer ourselves.
            return GzipTrailerCheckStream.Open(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="path"/> is a regular file that starts with gzip's magic bytes (false for anything it cannot tell).</summary>
    public static bool IsGzipFile(string path)
    {
        try
        {
            // A FIFO or a device reports no length (and opening a FIFO would wait for a writer): the reader opens those itself.
            if (new FileInfo(path) is not { Exists: true, Length: >= 2 }) return false;
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            return IsGzip(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // the reader's own open reports it
        }
    }

    /// <summary>Peeks at the first two bytes and rewinds.</summary>
    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }
}
