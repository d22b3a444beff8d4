using System.Buffers;
using System.Buffers.Text;
using System.IO.Compression;

namespace RobeGen.Synthetic;

/// <summary>
/// Writes synthetic rows in the Criteo TSV layout (label, I1..I13 as decimal integers or empty, C1..C26 as 8
/// lowercase hex digits), plain or gzip (by a .gz extension). Slices of rows are formatted on all cores into
/// reused buffers and written in order, so the file is the same for any thread count.
/// </summary>
public static class SyntheticTsvWriter
{
    private const int RowsPerSlice = 16384;
    /// <summary>The longest line: label, 13 integers of up to 10 digits, 26 ids of 8, 39 tabs, a newline.</summary>
    private const int MaxLineBytes = 2 + 13 * 11 + 26 * 9 + 1;

    /// <summary>Writes the rows to the file <paramref name="path"/> (gzip when it ends in .gz).</summary>
    public static void Write(SyntheticGenerator generator, long firstRow, long rows, string path, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        using FileStream file = File.Create(path);
        using Stream output = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.Fastest)
            : file;
        Write(generator, firstRow, rows, output, threads);
    }

    /// <summary>Writes the rows to <paramref name="output"/>.</summary>
    public static void Write(SyntheticGenerator generator, long firstRow, long rows, Stream output, int threads = 0)
    {
        int slices = threads > 0 ? threads : Environment.ProcessorCount;
        var buffers = new byte[slices][];
        var lengths = new int[slices];
        for (int s = 0; s < slices; s++) buffers[s] = new byte[RowsPerSlice * MaxLineBytes];
        var options = new ParallelOptions { MaxDegreeOfParallelism = slices };
        for (long done = 0; done < rows;)
        {
            long blockStart = done;
            long blockRows = Math.Min(rows - done, (long)slices * RowsPerSlice);
            int used = (int)((blockRows + RowsPerSlice - 1) / RowsPerSlice);
            Parallel.For(0, used, options, s =>
            {
                long start = blockStart + (long)s * RowsPerSlice;
                int count = (int)Math.Min(RowsPerSlice, blockStart + blockRows - start);
                lengths[s] = FormatRows(generator, firstRow + start, count, buffers[s]);
            });
            for (int s = 0; s < used; s++) output.Write(buffers[s], 0, lengths[s]);
            done += blockRows;
        }
    }

    private static int FormatRows(SyntheticGenerator generator, long firstRow, int count, byte[] buffer)
    {
        Span<long> counts = stackalloc long[SyntheticGenerator.DenseColumns];
        Span<long> ranks = stackalloc long[SyntheticGenerator.TokenColumns];
        Span<uint> ids = stackalloc uint[SyntheticGenerator.TokenColumns];
        var hex = new StandardFormat('x', 8);
        int at = 0;
        for (int r = 0; r < count; r++)
        {
            generator.Row(firstRow + r, counts, ranks, ids, out bool clicked);
            buffer[at++] = clicked ? (byte)'1' : (byte)'0';
            foreach (long value in counts)
            {
                buffer[at++] = (byte)'\t';
                if (value < 0) continue;
                Utf8Formatter.TryFormat(value, buffer.AsSpan(at), out int written);
                at += written;
            }
            foreach (uint id in ids)
            {
                buffer[at++] = (byte)'\t';
                Utf8Formatter.TryFormat(id, buffer.AsSpan(at), out int written, hex);
                at += written;
            }
            buffer[at++] = (byte)'\n';
        }
        return at;
    }
}
