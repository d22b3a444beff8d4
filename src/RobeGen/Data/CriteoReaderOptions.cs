namespace RobeGen.Data;

/// <summary>How a <see cref="CriteoReader"/> reads its files.</summary>
public sealed record CriteoReaderOptions
{
    /// <summary>Lines per batch. Every batch covers exactly this many lines (the last one fewer); see <see cref="SkipBadRows"/>.</summary>
    public int BatchSize { get; init; } = 2048;

    /// <summary>Parser threads; 0 means one per core. The batches do not depend on it.</summary>
    public int ParserThreads { get; init; }

    /// <summary>
    /// Batches parsed ahead of the consumer (each holds its raw lines and its parsed columns);
    /// 0 chooses 2 * threads + 2, fewer when the batches are large. Bounds the reader's memory.
    /// </summary>
    public int BatchesInFlight { get; init; }

    /// <summary>
    /// Threads that read and inflate input files ahead of the reader, one file each, the current file included (gzip
    /// inflation is the bottleneck of one reading thread); 0 chooses half the cores, at least two, where two or more files
    /// are read (and reads a single file on the reader thread); -1 reads each file on the reader thread itself. The
    /// batches do not depend on it; memory grows by up to 9 MiB per thread.
    /// </summary>
    public int InflateThreads { get; init; }

    /// <summary>
    /// Files read at once, the batches going round them one from each (<see cref="InterleavedPosition"/>): gzip is
    /// inflated one thread per file, so n files at once inflate n times as fast, with bounded memory. 1 (the default)
    /// reads the files one after another; 0 chooses <see cref="AutomaticInterleave"/>. The batches depend on it (their
    /// order, and a batch ends early where a file lane ends), never on thread timing. A <see cref="Start"/> position
    /// saved by interleaved reading resumes with its own lanes, whatever this says.
    /// </summary>
    public int InterleaveFiles { get; init; } = 1;

    /// <summary>
    /// What <see cref="InterleaveFiles"/> = 0 reads at once: for two or more gzip files, as many as half the cores (at
    /// least two, at most the files), the other half parsing; plain text files one after another (one thread reads them
    /// faster than the parsers consume them). It depends on the core count: give a number where runs on other machines must
    /// see the same batches.
    /// </summary>
    public static int AutomaticInterleave(IReadOnlyList<string> files) =>
        files.Count >= 2 && files.All(InputFile.IsGzipFile) ? Math.Min(files.Count, Math.Max(2, Environment.ProcessorCount / 2)) : 1;

    /// <summary>Where to start: files before it are skipped, and so are the lines of its file before it.</summary>
    public DataPosition Start { get; init; } = DataPosition.Start;

    /// <summary>Where to stop (exclusive): no line at or after it is read. Null reads to the end of the last file.
    /// With <see cref="Start"/> this cuts a line range out of the files, e.g. a hold-out split.</summary>
    public DataPosition? End { get; init; }

    /// <summary>
    /// Instead of stopping at the first bad line, leave it out, count it and write it verbatim to
    /// <see cref="RejectsPath"/> (required then). A batch that lost lines this way has fewer rows than
    /// <see cref="BatchSize"/>, so positions stay line-exact.
    /// </summary>
    public bool SkipBadRows { get; init; }

    /// <summary>File that receives each rejected line (created or truncated when the reader opens).</summary>
    public string? RejectsPath { get; init; }

    /// <summary>Longest line accepted, in bytes; a longer one is an error (a Criteo line is about 500 bytes).</summary>
    public int MaxLineBytes { get; init; } = 1 << 16;

    /// <summary>Tests only: check gzip trailers ourselves even where the runtime detects truncation.</summary>
    internal bool ForceGzipTrailerCheck { get; init; }
}
