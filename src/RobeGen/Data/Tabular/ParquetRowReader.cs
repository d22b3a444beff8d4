using ParquetSharp;

namespace RobeGen.Data.Tabular;

/// <summary>
/// A Parquet file read row group by row group into model-shaped rows: only the model's columns are read (by name;
/// top-level flat columns of numbers, booleans or strings, and for a multi-hot table a LIST of int32, int64 or strings,
/// <see cref="ParquetListColumn"/>). A list where the model reads one value, or one value where it reads a list, is
/// refused naming the file and the column; a bad value stops the read naming the file, the row and the column.
/// <para>
/// The row groups' columns are decoded by the threads given at once (<see cref="ParquetGroupPipeline"/>,
/// one column of a row group each) and the rows are taken from them in file order, so the batches, the rows skipped
/// to resume and the errors are the same whatever the thread count. The first read's rows are decoded apart from the
/// rest of their row group (<see cref="ParquetReadPlan"/>); a file opened ahead of the run begins decoding them before
/// the first read (<see cref="BeginDecoding"/>), which then takes them.
/// </para>
/// </summary>
internal sealed class ParquetRowReader : ITabularFileReader
{
    private readonly ParquetFileReader _file;
    private readonly ModelColumns _columns;
    private readonly string _path;
    private readonly bool _labeled;
    /// <summary>File column of each input: the label (when labeled), the dense columns, the categorical columns.</summary>
    private readonly int[] _fileColumns;
    private readonly string[] _names;
    /// <summary>Per input: a multi-hot table's list column.</summary>
    private readonly bool[] _multiHot;
    private readonly int _threads;
    /// <summary>Rows of each row group.</summary>
    private readonly long[] _groupRows = [];
    private ParquetInput[] _inputs = [];
    private ParquetGroupPipeline? _pipeline;
    /// <summary>The first row group decoding in the background (<see cref="BeginDecoding"/>) until the first read takes it.</summary>
    private Task<ParquetRowBlock?>? _firstBlock;
    /// <summary>Rows passed over (<see cref="Skip"/>) before the pipeline starts.</summary>
    private long _skipped;
    private ParquetRowBlock? _block;
    private int _blockAt;

    /// <param name="threads">Threads decoding the file's columns (1 decodes on the reading thread alone).</param>
    public ParquetRowReader(string path, ModelColumns columns, bool labeled, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        (_path, _columns, _labeled, _threads) = (path, columns, labeled, threads);
        try
        {
            _file = new ParquetFileReader(path);
        }
        catch (ParquetException e)
        {
            throw new DataFormatException(path, 0, null, 0, $"not a readable Parquet file ({e.Message.Split('\n')[0]})", e);
        }
        try
        {
            SchemaDescriptor schema = _file.FileMetaData!.Schema;
            var topNames = new string[schema.NumColumns];
            for (int i = 0; i < topNames.Length; i++) topNames[i] = schema.Column(i).Path.ToDotVector()[0];
            HeaderBinding binding = HeaderBinding.Bind(topNames, columns, labeled, path, 0, "Parquet schema");
            _fileColumns = (labeled ? [binding.Label] : Array.Empty<int>()).Concat(binding.Dense).Concat(binding.Categorical).ToArray();
            _names = _fileColumns.Select(c => topNames[c]).ToArray();
            _multiHot = new bool[_fileColumns.Length];
            int firstTable = _fileColumns.Length - columns.Categorical.Length;
            for (int input = 0; input < _fileColumns.Length; input++)
            {
                int c = _fileColumns[input];
                int table = input - firstTable;
                ColumnDescriptor descriptor = schema.Column(c);
                bool list = descriptor.MaxRepetitionLevel > 0;
                string type = ParquetListColumn.TypeOf(descriptor);
                if (table >= 0 && columns.MultiHot[table])
                {
                    _multiHot[input] = true;
                    if (ParquetListColumn.Unsupported(descriptor) is { } why)
                        throw new DataFormatException(path, 0, topNames[c], c + 1,
                            $"column '{topNames[c]}' is {type}: {why}; the model reads it as multi-hot (Pooling = {columns.Pooling[table]}), "
                            + "a LIST of int32, int64 or strings per row");
                }
                else if (list)
                {
                    string what = table >= 0 ? "single-hot (declare the table with Pooling = Sum or Mean to read lists)" : input == 0 && labeled ? "the label" : "a dense input";
                    throw new DataFormatException(path, 0, topNames[c], c + 1,
                        $"column '{topNames[c]}' is {type} (multi-hot); the model reads it as {what}, one value per row");
                }
            }
            _inputs = _fileColumns.Select((c, input) => new ParquetInput(c, _names[input], KindOf(input, firstTable), input - (labeled ? 1 : 0))).ToArray();
            _groupRows = new long[_file.FileMetaData.NumRowGroups];
            for (int g = 0; g < _groupRows.Length; g++)
                using (RowGroupReader group = _file.RowGroup(g)) _groupRows[g] = group.MetaData.NumRows;
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    private ParquetInputKind KindOf(int input, int firstTable) =>
        input < firstTable ? (_labeled && input == 0 ? ParquetInputKind.Label : ParquetInputKind.Dense)
        : _multiHot[input] ? ParquetInputKind.Bag : ParquetInputKind.Token;

    public void BeginDecoding(int firstRows)
    {
        if (_pipeline is not null || _firstBlock is not null) throw new InvalidOperationException("The reader has begun reading.");
        // A thread of its own (not the pool's): decoding a row group takes long, and the pipeline's workers help it.
        // Its errors (a row group too large, a column that cannot be decoded) are thrown by the first read, as without it.
        _firstBlock = Task.Factory.StartNew(() => (_pipeline = Start(firstRows)).Next(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public void Skip(long rows)
    {
        if (_pipeline is null && _firstBlock is null)
        {
            // Before the first read the whole row groups skipped are never read, and the rest is passed over as it decodes.
            _skipped += Math.Max(0, rows);
            return;
        }
        while (rows > 0)
        {
            int n = Take(null, (int)Math.Min(rows, int.MaxValue));
            if (n == 0) return;
            rows -= n;
        }
    }

    public int Read(Batch batch, int maxRows)
    {
        if (_columns.HasMultiHot && !batch.IsMultiHot) throw new InvalidOperationException("A model with a multi-hot table reads into batches of bags.");
        return Take(batch, maxRows);
    }

    /// <summary>Moves over up to <paramref name="maxRows"/> rows, appending them to <paramref name="batch"/> unless it is null (a skip).</summary>
    private int Take(Batch? batch, int maxRows)
    {
        int rows = 0;
        while (rows < maxRows)
        {
            if (_block is null || _blockAt == _block.Rows)
            {
                if ((_block = NextBlock(maxRows)) is null) break;
                _blockAt = 0;
                foreach (var failure in _block.Failures) failure?.Throw();
            }
            int n = Math.Min(maxRows - rows, _block.Rows - _blockAt);
            if (batch is not null)
            {
                (int problemRow, int input) = _block.FirstProblem();
                if (problemRow >= _blockAt && problemRow < _blockAt + n)
                {
                    ParquetInput bad = _inputs[input];
                    throw new DataFormatException(_path, "row", _block.FirstRow + problemRow + 1, bad.Name, bad.FileColumn + 1, _block.Inputs[input].Problem!);
                }
                ParquetBatchAssembler.Copy(_block, _inputs, _blockAt, n, batch);
            }
            _blockAt += n;
            rows += n;
        }
        return rows;
    }

    /// <summary>The next decoded rows (those begun in the background first), starting the pipeline at the first read, of <paramref name="firstRows"/>.</summary>
    private ParquetRowBlock? NextBlock(int firstRows)
    {
        if (_firstBlock is { } first)
        {
            _firstBlock = null;
            return first.GetAwaiter().GetResult(); // rethrows the exception itself, as Start and Next throw it
        }
        return (_pipeline ??= Start(firstRows)).Next();
    }

    /// <summary>The row groups from the skipped rows on (<see cref="ParquetReadPlan"/>), handed to the decoding threads.</summary>
    private ParquetGroupPipeline Start(int firstRows)
    {
        List<ParquetGroupSpan> plan = ParquetReadPlan.From(_groupRows, _skipped, firstRows, _path);
        var decoder = new ParquetColumnDecoder(_path, _columns);
        return new ParquetGroupPipeline(plan, _inputs.Length, _threads, _file, () => new ParquetFileReader(_path),
            (file, block, input) => decoder.Decode(file, block.Group, _inputs[input], block.Skip, block.Rows, block.Inputs[input]));
    }

    public void Dispose()
    {
        // The background start reads through the file: let it end first. Its failure belongs to a read that never came.
        if (_firstBlock is Task first) first.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        _pipeline?.Dispose();
        _file.Dispose();
    }
}
