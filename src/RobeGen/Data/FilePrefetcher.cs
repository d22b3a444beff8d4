using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace RobeGen.Data;

/// <summary>
/// Reads (and inflates) the input files on background threads ahead of the pipeline's one reader thread: while the
/// reader cuts file k into lines, files k .. k + ahead - 1 are decompressed, each on its own thread, so gzip input is
/// no longer bounded by a single inflating thread (Criteo 1TB ships 24 gzip day files). The reader still takes the
/// bytes file after file, so the lines, batches and positions are exactly those of a sequential read. Memory is
/// bounded: each file being read ahead holds at most <see cref="BuffersPerFile"/> buffers of <see cref="BufferBytes"/>.
/// A read error (a damaged gzip, a missing file) is raised when the reader reaches that point of that file, as a
/// sequential read would raise it.
/// </summary>
internal sealed class FilePrefetcher : IDisposable
{
    public const int BufferBytes = 1 << 20;
    public const int BuffersPerFile = 8;

    private readonly IReadOnlyList<string> _files;
    private readonly int _ahead;
    private readonly int _lastFile;
    private readonly bool _forceTrailerCheck;
    private readonly int _fileStride;
    private readonly Dictionary<int, FileFeed> _feeds = new();
    /// <summary>Buffers of finished files, taken by the next files before they allocate: across files the reader allocates nothing either.</summary>
    private readonly ConcurrentBag<Piece> _spare = new();
    private int _nextToStart;
    private bool _disposed;

    /// <param name="files">The input files in reading order.</param>
    /// <param name="firstFile">The first file the reader will open.</param>
    /// <param name="lastFile">The last file it may open (a hold-out range can end before the last file).</param>
    /// <param name="ahead">Files being read at once, the reader's current one included (at least 1).</param>
    /// <param name="fileStride">The reader opens files firstFile, firstFile + stride, ... (one lane of interleaved reading).</param>
    public FilePrefetcher(IReadOnlyList<string> files, int firstFile, int lastFile, int ahead, bool forceTrailerCheck, int fileStride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ahead, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fileStride, 1);
        _fileStride = fileStride;
        _files = files;
        _ahead = ahead;
        _lastFile = Math.Min(lastFile, files.Count - 1);
        _forceTrailerCheck = forceTrailerCheck;
        _nextToStart = firstFile;
    }

    /// <summary>
    /// Files read at once by default: half the cores (the other half parse), at least two. One file read ahead alone is
    /// no faster than the reader inflating it itself (measured 0.85x on 2 cores: the hand-over costs a copy); the gain
    /// is inflating several files at once (1.16x with two on 2 cores; docs/benchmarks.md).
    /// </summary>
    public static int DefaultAhead => Math.Max(2, Environment.ProcessorCount / 2);

    /// <summary>The read-ahead of <c>CriteoReaderOptions.InflateThreads</c> for <paramref name="filesToRead"/> files: -1 none;
    /// 0 (auto) <see cref="DefaultAhead"/> where at least two files are read, none for a single file; else as given.</summary>
    public static int ThreadsFor(int inflateThreads, int filesToRead) => inflateThreads switch
    {
        < 0 => 0,
        0 => filesToRead >= 2 ? Math.Min(DefaultAhead, filesToRead) : 0,
        var n => n,
    };

    /// <summary>The bytes of file <paramref name="index"/> (files are opened in increasing order, <c>fileStride</c> apart); starts reading the files after it.</summary>
    public Stream Open(int index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (int skipped in _feeds.Keys.Where(k => k < index).ToArray())
        {
            _feeds[skipped].Dispose();
            _feeds.Remove(skipped);
        }
        if (_nextToStart < index) _nextToStart = index;
        while (_nextToStart <= _lastFile && _nextToStart < index + (long)_ahead * _fileStride)
        {
            // Plain text is read by the reader itself: reading ahead only pays where there is inflating to do.
            if (InputFile.IsGzipFile(_files[_nextToStart])) _feeds[_nextToStart] = FileFeed.Start(_files[_nextToStart], _forceTrailerCheck, _spare);
            _nextToStart += _fileStride;
        }
        return _feeds.Remove(index, out FileFeed? feed) ? feed : InputFile.OpenRead(_files[index], _forceTrailerCheck);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (FileFeed feed in _feeds.Values) feed.Dispose();
        _feeds.Clear();
    }

    /// <summary>One buffer of a file's bytes, or the error that ended the file there; recycled within its file.</summary>
    private sealed class Piece
    {
        public byte[] Data { get; } = new byte[BufferBytes];
        public int Length { get; set; }
        public ExceptionDispatchInfo? Error { get; set; }
    }

    /// <summary>
    /// A file read on a background thread into a bounded queue of buffers, read back as a forward-only stream. The
    /// reader hands each drained buffer back, so a file in steady state allocates nothing.
    /// </summary>
    private sealed class FileFeed : Stream
    {
        private readonly BoundedQueue<Piece> _filled = new(BuffersPerFile);
        private readonly BoundedQueue<Piece> _free = new(BuffersPerFile + 1);
        private readonly ConcurrentBag<Piece> _spare;
        private int _allocated;
        private Piece? _current;
        private int _offset;
        private bool _ended;

        private FileFeed(ConcurrentBag<Piece> spare) => _spare = spare;

        public static FileFeed Start(string path, bool forceTrailerCheck, ConcurrentBag<Piece> spare)
        {
            var feed = new FileFeed(spare);
            var thread = new Thread(() => feed.Fill(path, forceTrailerCheck)) { IsBackground = true, Name = "RobeGen file prefetch" };
            thread.Start();
            return feed;
        }

        private void Fill(string path, bool forceTrailerCheck)
        {
            Piece? piece = null;
            try
            {
                using Stream source = InputFile.OpenRead(path, forceTrailerCheck);
                while ((piece = NextEmpty()) is not null)
                {
                    piece.Length = 0;
                    int read;
                    do
                    {
                        read = source.Read(piece.Data, piece.Length, piece.Data.Length - piece.Length);
                        piece.Length += read;
                    }
                    while (read > 0 && piece.Length < piece.Data.Length);
                    bool end = piece.Length < piece.Data.Length;
                    if (piece.Length > 0 && !_filled.TryAdd(piece)) return; // disposed: the reader left
                    piece = null;
                    if (end) break;
                }
            }
            catch (Exception e)
            {
                // The bytes read before the error first, then the error: the reader raises it where a sequential read
                // would have, after the same lines.
                if (piece is { Length: > 0 }) _filled.TryAdd(piece);
                _filled.TryAdd(new Piece { Error = ExceptionDispatchInfo.Capture(e) });
            }
            finally
            {
                _filled.Complete();
            }
        }

        /// <summary>
        /// A buffer while this file holds fewer than the bound (a finished file's, else a new one), then one the reader
        /// handed back (null once disposed).
        /// </summary>
        private Piece? NextEmpty()
        {
            if (_allocated < BuffersPerFile + 1)
            {
                _allocated++;
                return _spare.TryTake(out Piece? spare) ? spare : new Piece();
            }
            return _free.TryTake(out Piece? piece) ? piece : null;
        }

        /// <summary>The file is read to its end: its buffers go to the files after it.</summary>
        private void Recycle()
        {
            _free.Complete();
            while (_free.TryTake(out Piece? piece)) _spare.Add(piece);
            if (_current is { Error: null }) _spare.Add(_current);
            _current = null;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (!_ended && (_current is null || _offset == _current.Length))
            {
                if (_current is not null) _free.TryAdd(_current);
                if (!_filled.TryTake(out _current))
                {
                    _ended = true;
                    Recycle();
                    break;
                }
                _offset = 0;
                _current.Error?.Throw();
            }
            if (_ended || buffer.IsEmpty) return 0;
            int take = Math.Min(buffer.Length, _current!.Length - _offset);
            _current.Data.AsSpan(_offset, take).CopyTo(buffer);
            _offset += take;
            return take;
        }

        protected override void Dispose(bool disposing)
        {
            // Unblocks the filling thread (its next add or take fails) and drops what it read.
            if (disposing)
            {
                _filled.Complete();
                _free.Complete();
            }
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
