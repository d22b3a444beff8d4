namespace RobeGen.Data;

/// <summary>
/// The error for a gzip file that fails to decompress, the same wherever it is read (training, a hold-out's line count,
/// layout detection). zlib reports corrupt deflate data and a CRC-32 mismatch alike as a data error, which .NET words
/// "compressed using an unsupported compression method": misleading for a file whose only fault is a flipped bit.
/// </summary>
internal static class GzipDamage
{
    public static DataFormatException Error(string path, long afterLine, InvalidDataException e) =>
        new(path, 0, null, 0, $"the gzip data is truncated or corrupt (after line {afterLine}): {Describe(e)}", e);

    private static string Describe(InvalidDataException e) =>
        e.Message.Contains("unsupported compression method", StringComparison.OrdinalIgnoreCase)
            ? "damaged compressed data or a CRC-32 mismatch (gzip -t rejects it too)"
            : e.Message;
}
