using System.IO.Compression;
using RobeGen.Data;

namespace RobeGen.Tests.Data;

/// <summary>Truncated gzip input must never look like a shorter valid file.</summary>
public class GzipIntegrityTests
{
    private static byte[] Compress(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(data);
        return memory.ToArray();
    }

    private static byte[] Payload()
    {
        var data = new byte[200_000];
        var random = new Random(3);
        for (int i = 0; i < data.Length; i++) data[i] = (byte)"0123456789abcdef\t\n"[random.Next(18)];
        return data;
    }

    [Fact]
    public void The_runtime_check_is_on_in_this_process() => Assert.True(GzipIntegrity.RuntimeDetectsTruncation);

    [Fact]
    public void The_trailer_check_fallback_reads_a_whole_file_and_rejects_every_cut()
    {
        using var temp = new TempFolder();
        byte[] payload = Payload();
        byte[] compressed = Compress(payload);
        string whole = temp.File("whole.gz");
        File.WriteAllBytes(whole, compressed);
        using (var stream = GzipTrailerCheckStream.Open(File.OpenRead(whole)))
        {
            var output = new MemoryStream();
            stream.CopyTo(output);
            Assert.Equal(payload, output.ToArray());
        }
        foreach (int keep in new[] { compressed.Length - 1, compressed.Length - 4, compressed.Length - 9, compressed.Length / 3, 18, 5 })
        {
            string cut = temp.File($"cut{keep}.gz");
            File.WriteAllBytes(cut, compressed.AsSpan(0, keep).ToArray());
            Assert.Throws<InvalidDataException>(() =>
            {
                using var stream = GzipTrailerCheckStream.Open(File.OpenRead(cut));
                stream.CopyTo(Stream.Null);
            });
        }
    }
}
