namespace RobeGen.Cli.Files;

/// <summary>
/// Writes an output file so that it is either the complete new content or untouched: into a uniquely named hidden
/// temporary file beside the target (never <c>out.tmp</c>, which may be the user's), flushed, then renamed over it.
/// A device or FIFO is written directly. The file streams are unbuffered (the caller buffers), so disposing one after a
/// failed write has nothing left to flush and cannot replace the error with a second one. The temporary file is removed on every failure. Only failures of the output
/// itself become "could not write" errors; an input that fails while <c>write</c> reads it keeps its own exception.
/// </summary>
internal static class AtomicOutput
{
    public static T Write<T>(OutputPath output, Func<Stream, T> write)
    {
        if (output.IsSpecial)
        {
            using var device = Guard(output, () => new FileStream(output.Target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0));
            using var direct = new OutputStream(device, output);
            T written = write(direct);
            direct.Flush();
            return written;
        }
        string temp = Path.Combine(Path.GetDirectoryName(output.Target)!, $".{Path.GetFileName(output.Target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            T result;
            using (var file = Guard(output, () => new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0)))
            {
                var guarded = new OutputStream(file, output);
                result = write(guarded);
                guarded.Flush();
                Guard(output, () => file.Flush(flushToDisk: true));
            }
            Guard(output, () => File.Move(temp, output.Target, overwrite: true));
            return result;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static void Guard(OutputPath output, Action action) => Guard(output, () =>
    {
        action();
        return 0;
    });

    private static TResult Guard<TResult>(OutputPath output, Func<TResult> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{output.Flag} {output.Given}: could not write ({e.Message})", 1, e);
        }
    }
}
