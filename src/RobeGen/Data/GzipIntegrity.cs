using System.IO.Compression;

namespace RobeGen.Data;

/// <summary>
/// .NET's GZipStream returns a truncated stream's data as if it were complete unless the process-wide switch
/// <c>System.IO.Compression.UseStrictValidation</c> is on. We turn it on (unless the application set it either way)
/// before the first decompression, then check once that truncation really is detected: the runtime reads the switch
/// only once, so an application that decompressed something earlier keeps the lenient mode. In that case
/// <see cref="InputFile"/> verifies the gzip trailer itself.
/// </summary>
internal static class GzipIntegrity
{
    public const string StrictValidationSwitch = "System.IO.Compression.UseStrictValidation";

    private static readonly Lazy<bool> s_detects = new(Probe);

    public static bool RuntimeDetectsTruncation => s_detects.Value;

    private static bool Probe()
    {
        if (!AppContext.TryGetSwitch(StrictValidationSwitch, out _)) AppContext.SetSwitch(StrictValidationSwitch, true);

        // Compress incompressible bytes, cut the stream in half and see whether decompression complains.
        var payload = new byte[4096];
        new Random(12345).NextBytes(payload);
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(payload);
        byte[] truncated = compressed.GetBuffer().AsSpan(0, (int)compressed.Length / 2).ToArray();
        try
        {
            using var reader = new GZipStream(new MemoryStream(truncated), CompressionMode.Decompress);
            reader.CopyTo(Stream.Null);
            return false;
        }
        catch (InvalidDataException)
        {
            return true;
        }
    }
}
