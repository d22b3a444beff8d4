using System.Diagnostics;
using RobeGen.Backends;
using RobeGen.Data;

namespace RobeGen.Serving;

/// <summary>
/// Dynamic batching for a model with queued predictions (CUDA): concurrent callers' rows are gathered into one device
/// batch, so a GPU serves many small requests at its batch throughput. One dispatcher thread sends a batch as soon as the
/// device has room (at most two batches in flight: one computing while the next uploads), at the latest
/// <see cref="MaxDelay"/> after the oldest waiting request arrived, or when <see cref="MaxRows"/> rows are waiting. An
/// idle device takes a lone request at once, so light load gets the device's single-batch latency and heavy load its
/// throughput: a caller that finds the device idle and nobody waiting runs its request on its own thread (no hand-over to
/// the dispatcher and back, two thread wake-ups saved). Callers block until their rows' probabilities are back.
/// </summary>
internal sealed class DynamicBatcher : IDisposable
{
    private readonly IDlrmBackend _model;
    private readonly IQueuedPrediction _queued;
    private readonly object _gate = new();
    private readonly Queue<Request> _waiting = new();
    private readonly Thread _dispatcher;
    private readonly Batch[] _batches;
    private readonly Queue<List<Request>> _inFlight = new();
    /// <summary>Who drives the backend: the dispatcher while it has batches in flight, or one caller running its request inline.</summary>
    private readonly SemaphoreSlim _device = new(1, 1);
    private bool _dispatcherOwnsDevice;
    private float[] _results;
    private int _nextBatch;
    private bool _stopping;

    public DynamicBatcher(IDlrmBackend model, int maxRows, TimeSpan maxDelay)
    {
        _model = model;
        _queued = model as IQueuedPrediction ?? throw new ArgumentException("Dynamic batching needs a backend with queued predictions (CUDA).", nameof(model));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        MaxRows = maxRows;
        MaxDelay = maxDelay;
        var declaration = model.Declaration;
        // A multi-hot model's requests hold bags: the device batches gather them as bags too.
        bool bags = declaration.HasMultiHotTables;
        _batches = [new Batch(maxRows, declaration.DenseFeatures, declaration.TableCount, bags), new Batch(maxRows, declaration.DenseFeatures, declaration.TableCount, bags)];
        _results = new float[maxRows];
        _dispatcher = new Thread(Dispatch) { IsBackground = true, Name = "RobeGen dynamic batcher" };
        _dispatcher.Start();
    }

    /// <summary>Rows of one device batch (ModelOptions.MaxBatchSize).</summary>
    public int MaxRows { get; }
    /// <summary>The longest a request waits for others to join its batch while the device is busy.</summary>
    public TimeSpan MaxDelay { get; }
    /// <summary>Device batches sent so far (a caller's inline request counts as one), and the rows in them (their ratio is the mean batch).</summary>
    public long BatchesSent { get; private set; }
    public long RowsSent { get; private set; }

    /// <summary>Predicts <paramref name="batch"/> (at most <see cref="MaxRows"/> rows) together with other callers' rows.</summary>
    public void Predict(Batch batch, Span<float> probabilities)
    {
        if (batch.Count > MaxRows) throw new ArgumentException($"The batch has {batch.Count} rows; at most {MaxRows}.", nameof(batch));
        if (batch.Count == 0) return;
        // Refused here, in the caller's thread: a malformed request must not fail the other requests batched with it.
        BatchChecks.Hotness(batch, _model.Declaration);
        Request? request = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_waiting.Count > 0 || !_device.Wait(0))
            {
                request = new Request(batch);
                _waiting.Enqueue(request);
                Monitor.Pulse(_gate);
            }
        }
        if (request is null)
        {
            try
            {
                _queued.EnqueuePredict(batch);
                _queued.ReadPrediction(probabilities);
                BatchesSent++;
                RowsSent += batch.Count;
            }
            finally
            {
                _device.Release();
            }
            return;
        }
        request.Done.Wait();
        request.Done.Dispose();
        if (request.Error is { } error) throw new InvalidOperationException($"The batched prediction failed: {error.Message}", error);
        request.Result.AsSpan(0, batch.Count).CopyTo(probabilities);
    }

    private void Dispatch()
    {
        try
        {
            while (true)
            {
                List<Request>? group = NextGroup();
                if (group is null) break;
                Batch combined = _batches[_nextBatch];
                _nextBatch ^= 1;
                Combine(group, combined);
                if (!_dispatcherOwnsDevice)
                {
                    _device.Wait();
                    _dispatcherOwnsDevice = true;
                }
                if (_inFlight.Count >= _queued.MaxQueuedPredictions) Complete(_inFlight.Dequeue());
                try
                {
                    _queued.EnqueuePredict(combined);
                }
                catch (Exception e)
                {
                    Fail(group, e);
                    ReleaseDeviceIfIdle();
                    continue;
                }
                _inFlight.Enqueue(group);
                BatchesSent++;
                RowsSent += combined.Count;
                // Nothing else waiting: collect this batch now rather than leave its callers for the next one.
                lock (_gate)
                    if (_waiting.Count == 0)
                        while (_inFlight.Count > 0) Complete(_inFlight.Dequeue());
                ReleaseDeviceIfIdle();
            }
            while (_inFlight.Count > 0) Complete(_inFlight.Dequeue());
            ReleaseDeviceIfIdle();
        }
        catch (Exception e)
        {
            while (_inFlight.Count > 0) Fail(_inFlight.Dequeue(), e);
            lock (_gate)
            {
                _stopping = true;
                while (_waiting.Count > 0) Fail([_waiting.Dequeue()], e);
            }
        }
    }

    /// <summary>The next group of requests to send: at once when the device is idle, else when full or the oldest has waited MaxDelay.</summary>
    private List<Request>? NextGroup()
    {
        lock (_gate)
        {
            while (_waiting.Count == 0)
            {
                if (_stopping) return null;
                // Results still in flight: deliver them rather than sleep on them.
                if (_inFlight.Count > 0)
                {
                    Monitor.Exit(_gate);
                    try
                    {
                        Complete(_inFlight.Dequeue());
                        ReleaseDeviceIfIdle();
                    }
                    finally { Monitor.Enter(_gate); }
                    continue;
                }
                Monitor.Wait(_gate);
            }
            bool deviceBusy = _inFlight.Count > 0;
            if (deviceBusy)
            {
                long deadline = _waiting.Peek().Queued + (long)(MaxDelay.TotalSeconds * Stopwatch.Frequency);
                while (RowsWaiting() < MaxRows && Stopwatch.GetTimestamp() < deadline && !_stopping)
                {
                    Monitor.Exit(_gate);
                    Thread.SpinWait(64);
                    Monitor.Enter(_gate);
                }
            }
            var group = new List<Request>();
            int rows = 0;
            while (_waiting.Count > 0 && rows + _waiting.Peek().Batch.Count <= MaxRows)
            {
                Request next = _waiting.Dequeue();
                rows += next.Batch.Count;
                group.Add(next);
            }
            return group;
        }
    }

    /// <summary>Hands the backend back once the dispatcher has nothing in flight (a caller may then run inline).</summary>
    private void ReleaseDeviceIfIdle()
    {
        if (!_dispatcherOwnsDevice || _inFlight.Count > 0) return;
        _dispatcherOwnsDevice = false;
        _device.Release();
    }

    private int RowsWaiting()
    {
        int rows = 0;
        foreach (Request r in _waiting) rows += r.Batch.Count;
        return rows;
    }

    /// <summary>Copies the group's rows into one batch (callers do not touch their batches while they wait).</summary>
    private static void Combine(List<Request> group, Batch combined)
    {
        int row = 0;
        foreach (Request r in group)
        {
            Batch b = r.Batch;
            b.DenseSpan.CopyTo(combined.Dense.AsSpan(row * combined.DenseFeatures));
            if (combined.IsMultiHot) AppendBags(b, combined, row);
            else b.TokenSpan.CopyTo(combined.Tokens.AsSpan(row * combined.Tables));
            row += b.Count;
        }
        combined.Count = row;
    }

    /// <summary>Puts <paramref name="b"/>'s bags at row <paramref name="row"/> of <paramref name="combined"/>: its ids after the
    /// ids of the rows before, its offsets shifted by their count.</summary>
    private static void AppendBags(Batch b, Batch combined, int row)
    {
        int tables = combined.Tables, first = combined.BagOffsets[row * tables], ids = b.IdCount;
        combined.EnsureIdCapacity(first + ids);
        b.BagIds.AsSpan(0, ids).CopyTo(combined.BagIds.AsSpan(first));
        for (int c = 1; c <= b.Count * tables; c++) combined.BagOffsets[row * tables + c] = first + b.BagOffsets[c];
    }

    private void Complete(List<Request> group)
    {
        int rows;
        try
        {
            rows = _queued.ReadPrediction(_results);
        }
        catch (Exception e)
        {
            Fail(group, e);
            throw;
        }
        int at = 0;
        foreach (Request r in group)
        {
            r.Result = _results.AsSpan(at, r.Batch.Count).ToArray();
            at += r.Batch.Count;
            r.Done.Set();
        }
        Debug.Assert(at == rows);
    }

    private static void Fail(List<Request> group, Exception error)
    {
        foreach (Request r in group)
        {
            r.Error = error;
            r.Done.Set();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _dispatcher.Join();
    }

    private sealed class Request(Batch batch)
    {
        public Batch Batch { get; } = batch;
        public long Queued { get; } = Stopwatch.GetTimestamp();
        public ManualResetEventSlim Done { get; } = new(false);
        public float[] Result { get; set; } = [];
        public Exception? Error { get; set; }
    }
}
