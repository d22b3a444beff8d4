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
        long[] lines = files.Select(CountLines).ToArray();
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
