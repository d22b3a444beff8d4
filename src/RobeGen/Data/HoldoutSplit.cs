namespace RobeGen.Data;

/// <summary>Cuts the last fraction of a list of files' lines off as evaluation data.</summary>
public static class HoldoutSplit
{
    /// <summary>
    /// Counts the lines of <paramref name="files"/> (one pass) and returns the data before and after the line where
    /// the last <paramref name="fraction"/> begins. Order is kept: the evaluation rows come after the training rows,
    /// as a later day would.
    /// </summary>
    public static (CriteoTrainingData Train, CriteoTrainingData Eval) Split(IReadOnlyList<string> files, double fraction, CriteoReaderOptions? options = null)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The hold-out fraction must be between 0 and 1.");
        long[] lines = CountLinesOfEach(files);
        long total = lines.Sum();
        long trainLines = (long)Math.Floor(total * (1 - fraction));
        if (trainLines < 1 || trainLines >= total)
            throw new ArgumentException($"{total} lines cannot be split {1 - fraction:P0} / {fraction:P0}.", nameof(fraction));
        int file = 0;
        long before = 0;
        while (before + lines[file] <= trainLines) { before += lines[file]; file++; }
        var boundary = new DataPosition(file, trainLines - before);
        return (new CriteoTrainingData(files, CriteoLayout.Labeled, options) { End = boundary },
                new CriteoTrainingData(files, CriteoLayout.Labeled, options) { First = boundary });
    }

    /// <summary>
    /// <see cref="CountLines"/> of every file, several files at once (gzip inflates on one thread per file); the error
    /// of the first damaged file in list order is the one raised, as a count file after file would raise it.
    /// </summary>
    public static long[] CountLinesOfEach(IReadOnlyList<string> files)
    {
        var lines = new long[files.Count];
        var errors = new Exception?[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try { lines[i] = CountLines(files[i]); }
            catch (Exception e) { errors[i] = e; }
        });
        if (errors.FirstOrDefault(e => e is not null) is { } first) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        return lines;
    }

    /// <summary>Lines in a plain or gzip file (a last line without a newline counts).</summary>
    public static long CountLines(string path)
    {
        using Stream stream = InputFile.OpenRead(path);
        var buffer = new byte[1 << 20];
        long count = 0;
        int read;
        byte last = (byte)'\n';
        try
        {
            while ((read = stream.Read(buffer)) > 0)
            {
                count += buffer.AsSpan(0, read).Count((byte)'\n');
                last = buffer[read - 1];
            }
        }
        catch (InvalidDataException e)
        {
            throw GzipDamage.Error(path, count, e);
        }
        return last == (byte)'\n' ? count : count + 1;
    }
}
