namespace RobeGen.Data.Tabular;

/// <summary>
/// Files opened before the cursor that reads them exists (<see cref="TabularData.OpenAhead(int)"/>), each on a thread of its
/// own: the file opened, its schema checked and its first rows decoding (<see cref="ITabularFileReader.BeginDecoding"/>)
/// while the caller does something else, such as building the model. A cursor takes a reader in place of opening the
/// file itself (<see cref="Take"/>), once, and only one opened with the same settings; an error opening the file is
/// thrown by <see cref="Take"/>, when the cursor reaches the file, as opening it then would have thrown it. Readers never
/// taken are closed by <see cref="Dispose"/>, their errors unreported (no read reached them); files can be opened ahead
/// again after it.
/// </summary>
internal sealed class ReadersOpenedAhead : IDisposable
{
    /// <summary>What a reader was opened with: the same file, statistics (the same object: the copies of a
    /// <see cref="TabularData"/> pass theirs on), labels and thread count read the same rows.</summary>
    public readonly record struct Settings(string Path, DenseStatistics Statistics, bool Labeled, int Threads);

    private readonly object _lock = new();
    private readonly List<(Settings Settings, Task<ITabularFileReader> Reader)> _opening = new();

    /// <summary>Opens the file of <paramref name="settings"/> through <paramref name="open"/> on a thread of its own and begins
    /// decoding it, its first <paramref name="firstRows"/> rows first.</summary>
    public void Begin(Settings settings, int firstRows, Func<ITabularFileReader> open)
    {
        Task<ITabularFileReader> reader = Task.Factory.StartNew(() =>
        {
            ITabularFileReader opened = open();
            opened.BeginDecoding(firstRows);
            return opened;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        lock (_lock) _opening.Add((settings, reader));
    }

    /// <summary>The reader opened ahead with <paramref name="settings"/> (once; it is the caller's from here), or null when there is none.</summary>
    public ITabularFileReader? Take(Settings settings)
    {
        Task<ITabularFileReader> reader;
        lock (_lock)
        {
            int at = _opening.FindIndex(o => o.Settings == settings);
            if (at < 0) return null;
            reader = _opening[at].Reader;
            _opening.RemoveAt(at);
        }
        return reader.GetAwaiter().GetResult(); // the opening's exception itself, as opening the file now would throw it
    }

    public void Dispose()
    {
        List<(Settings, Task<ITabularFileReader> Reader)> left;
        lock (_lock)
        {
            left = [.. _opening];
            _opening.Clear();
        }
        foreach (var (_, reader) in left)
        {
            ((Task)reader).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
            if (reader.IsCompletedSuccessfully) reader.Result.Dispose();
        }
    }
}
