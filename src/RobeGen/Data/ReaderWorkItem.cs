namespace RobeGen.Data;

/// <summary>
/// One batch on its way through the pipeline: raw lines from the file reader, parsed columns from a parser,
/// then handed to the consumer in file order. A fixed set of these circulates, so nothing is allocated per batch.
/// </summary>
internal sealed class ReaderWorkItem
{
    private readonly ManualResetEventSlim _parsed = new(false);

    public ReaderWorkItem(int batchSize, int expectedBytesPerLine)
    {
        Lines = new LineChunk(batchSize, expectedBytesPerLine);
        Batch = CriteoSchema.CreateBatch(batchSize);
    }

    public LineChunk Lines { get; }
    public Batch Batch { get; }
    /// <summary>Chunk rows left out as bad (only with SkipBadRows), in order.</summary>
    public List<int> RejectedRows { get; } = new();
    /// <summary>Explanation of the first rejected row.</summary>
    public string? FirstRejectReason { get; set; }
    /// <summary>What stopped this batch: a bad line, or a failure of the file reader (then Lines is empty).</summary>
    public Exception? Error { get; set; }

    public void MarkParsed() => _parsed.Set();

    public void WaitParsed() => _parsed.Wait();

    public void Recycle()
    {
        _parsed.Reset();
        RejectedRows.Clear();
        FirstRejectReason = null;
        Error = null;
        Batch.Count = 0;
    }
}
