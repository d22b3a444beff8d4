namespace RobeGen.Data.Tabular;

/// <summary>
/// Batches over a list of tabular files, crossing file boundaries. Its <see cref="Position"/> is (file, data rows of
/// that file consumed), so a cursor opened at a saved position yields exactly the batches that would have followed.
/// With a file stride of n it reads every n-th file (one lane of <see cref="InterleavedCursor"/>).
/// </summary>
internal sealed class TabularCursor : IBatchCursor
{
    private readonly IReadOnlyList<string> _files;
    private readonly Func<string, ITabularFileReader> _open;
    private readonly VocabularyMapper? _vocabulary;
    private readonly Batch _batch;
    private ITabularFileReader? _reader;
    private readonly int _fileStride;
    private int _file;
    private long _rowsInFile;

    public TabularCursor(IReadOnlyList<string> files, Func<string, ITabularFileReader> open, DataPosition start, ModelDeclaration declaration, int batchSize,
        VocabularyMapper? vocabulary, int fileStride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fileStride, 1);
        _fileStride = fileStride;
        if (start.FileIndex < 0 || start.FileIndex > files.Count || start.Line < 0) throw new ArgumentOutOfRangeException(nameof(start), start, $"There are {files.Count} files.");
        (_files, _open, _vocabulary) = (files, open, vocabulary);
        _batch = BagWriter.CreateBatch(declaration, batchSize);
        (_file, _rowsInFile) = (start.FileIndex, 0);
        if (start.Line > 0 && _file < files.Count)
        {
            _reader = open(files[_file]);
            _reader.Skip(start.Line);
            _rowsInFile = start.Line;
        }
        Position = start;
    }

    public Batch Current => _batch;
    public DataPosition Position { get; private set; }

    public bool MoveNext() => Fill(_batch);

    /// <summary>Fills <paramref name="batch"/> (of this cursor's shape) with the next rows; false at the end of the data.</summary>
    public bool Fill(Batch batch)
    {
        batch.Count = 0;
        while (batch.Count < batch.Capacity && _file < _files.Count)
        {
            _reader ??= _open(_files[_file]);
            int read = _reader.Read(batch, batch.Capacity - batch.Count);
            _rowsInFile += read;
            if (read == 0)
            {
                _reader.Dispose();
                _reader = null;
                (_file, _rowsInFile) = ((int)Math.Min((long)_file + _fileStride, _files.Count), 0);
            }
        }
        Position = new DataPosition(_file, _rowsInFile);
        if (batch.Count == 0) return false;
        _vocabulary?.Map(batch);
        return true;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _reader = null;
    }
}
