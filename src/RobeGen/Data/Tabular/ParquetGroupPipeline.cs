using System.Runtime.ExceptionServices;
using ParquetSharp;

namespace RobeGen.Data.Tabular;

/// <summary>
/// Decodes the row groups of one Parquet file on several threads and hands them over in file order. A unit of work is
/// one model input's column of one row group, so even a file of a single row group decodes in parallel; the units are
/// handed out in file order, and at most <see cref="Window"/> row groups are decoded or held at once (memory stays at
/// that many decoded row groups whatever the file's size). The consumer decodes too while it waits for the next row
/// group (with one thread, it decodes everything itself, in order). The result does not depend on the thread count or
/// timing: each column is decoded whole by one thread, and a failure is kept with its row group and input, then
/// thrown when the consumer reaches that row group.
/// </summary>
internal sealed class ParquetGroupPipeline : IDisposable
{
    /// <summary>Row groups decoded or held at once: the one being read, and two decoding ahead of it.</summary>
    public const int Window = 3;

    /// <summary>Decodes input <c>int</c> of the block through the calling thread's file reader.</summary>
    public delegate void DecodeColumn(ParquetFileReader file, ParquetRowBlock block, int input);

    private readonly ParquetGroupSpan[] _plan;
    private readonly int _inputs;
    private readonly Func<ParquetFileReader> _openFile;
    private readonly ParquetFileReader _consumerFile;
    private readonly DecodeColumn _decode;
    private readonly object _lock = new();
    private readonly Queue<ParquetRowBlock> _free = new();
    private readonly Queue<ParquetRowBlock> _begun = new();
    private readonly Thread[] _workers;
    private ParquetRowBlock? _handing;
    private int _nextInput;
    private int _nextPlan;
    private ParquetRowBlock? _taken;
    private bool _stopping;

    /// <param name="plan">The row groups to decode, in file order.</param>
    /// <param name="inputs">Model inputs (columns) per row group.</param>
    /// <param name="threads">Threads decoding, the consumer's own included (1: the consumer alone).</param>
    /// <param name="consumerFile">The consumer's reader of the file (not owned).</param>
    /// <param name="openFile">Opens a reader of the file for a worker thread (each thread reads through its own).</param>
    /// <param name="decode">Decodes one column of a row group.</param>
    public ParquetGroupPipeline(IReadOnlyList<ParquetGroupSpan> plan, int inputs, int threads, ParquetFileReader consumerFile,
        Func<ParquetFileReader> openFile, DecodeColumn decode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        (_plan, _inputs, _consumerFile, _openFile, _decode) = (plan.ToArray(), inputs, consumerFile, openFile, decode);
        for (int i = 0; i < Math.Min(Window, Math.Max(1, _plan.Length)); i++) _free.Enqueue(new ParquetRowBlock(inputs));
        // More threads than columns of the row groups in flight would only wait.
        int workers = Math.Min(threads - 1, _plan.Length == 0 ? 0 : inputs * Math.Min(Window, _plan.Length) - 1);
        _workers = new Thread[Math.Max(0, workers)];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = $"RobeGen Parquet decoder {i}" };
            _workers[i].Start();
        }
    }

    /// <summary>
    /// The next row group, decoded (check its <see cref="ParquetRowBlock.Failures"/>); null after the last. The block
    /// returned before goes back to the pipeline: it is valid until this is called again.
    /// </summary>
    public ParquetRowBlock? Next()
    {
        lock (_lock)
        {
            if (_taken is not null)
            {
                _free.Enqueue(_taken);
                _taken = null;
                Monitor.PulseAll(_lock);
            }
            while (true)
            {
                if (_begun.Count > 0 && _begun.Peek().Pending == 0) return _taken = _begun.Dequeue();
                if (_begun.Count == 0 && _nextPlan == _plan.Length) return null;
                // Help with the row group needed next rather than wait (never with one ahead of it: that would delay this one).
                if ((_begun.Count == 0 || _handing == _begun.Peek()) && TryTakeUnit(out ParquetRowBlock? block, out int input))
                {
                    Monitor.Exit(_lock);
                    try
                    {
                        Decode(_consumerFile, block, input);
                    }
                    finally
                    {
                        Monitor.Enter(_lock);
                    }
                    block.Pending--;
                    continue;
                }
                Monitor.Wait(_lock);
            }
        }
    }

    /// <summary>The next column to decode, in file order, beginning a row group when one is free; false when none is (under the lock).</summary>
    private bool TryTakeUnit(out ParquetRowBlock block, out int input)
    {
        if (_handing is null || _nextInput == _inputs)
        {
            _handing = null;
            if (_nextPlan == _plan.Length || _free.Count == 0)
            {
                (block, input) = (null!, -1);
                return false;
            }
            ParquetGroupSpan span = _plan[_nextPlan++];
            _handing = _free.Dequeue();
            _handing.Begin(span.Group, span.FirstRow, span.Skip, span.Rows);
            _begun.Enqueue(_handing);
            _nextInput = 0;
        }
        (block, input) = (_handing, _nextInput++);
        return true;
    }

    private void Decode(ParquetFileReader? file, ParquetRowBlock block, int input)
    {
        try
        {
            _decode(file ?? throw new InvalidOperationException("The file reader is not open."), block, input);
        }
        catch (Exception e)
        {
            block.Failures[input] = ExceptionDispatchInfo.Capture(e);
        }
    }

    private void Work()
    {
        ParquetFileReader? file = null;
        ExceptionDispatchInfo? openFailure = null;
        try
        {
            lock (_lock)
            {
                while (true)
                {
                    if (_stopping) return;
                    if (!TryTakeUnit(out ParquetRowBlock? block, out int input))
                    {
                        Monitor.Wait(_lock);
                        continue;
                    }
                    Monitor.Exit(_lock);
                    try
                    {
                        if (file is null && openFailure is null)
                        {
                            try { file = _openFile(); }
                            catch (Exception e) { openFailure = ExceptionDispatchInfo.Capture(e); }
                        }
                        if (openFailure is not null) block.Failures[input] = openFailure;
                        else Decode(file, block, input);
                    }
                    finally
                    {
                        Monitor.Enter(_lock);
                    }
                    if (--block.Pending == 0) Monitor.PulseAll(_lock);
                }
            }
        }
        finally
        {
            file?.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
            Monitor.PulseAll(_lock);
        }
        foreach (Thread worker in _workers) worker.Join();
    }
}
