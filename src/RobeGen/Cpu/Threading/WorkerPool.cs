using System.Runtime.ExceptionServices;

namespace RobeGen.Cpu.Threading;

/// <summary>A unit of parallel work: items 0 .. count-1, each run exactly once by some worker.</summary>
internal interface IParallelWork
{
    /// <summary>Runs one item. <paramref name="worker"/> (0 .. Threads-1) indexes per-worker scratch buffers.</summary>
    void Execute(int item, int worker);
}

/// <summary>
/// A small pool of dedicated threads (the caller is worker 0). Unlike Parallel.For it allocates nothing per call,
/// which keeps the training step allocation-free. Items are handed out dynamically, so the schedule varies, but every
/// item computes the same thing whichever thread runs it: results do not depend on the schedule.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private const int SpinIterations = 500;

    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private readonly ManualResetEventSlim _done = new(false, spinCount: 100);
    private IParallelWork? _work;
    private int _items;
    private int _next;
    private int _running;
    private long _generation;
    private bool _disposed;
    private ExceptionDispatchInfo? _failure;

    public WorkerPool(int threads)
    {
        Threads = threads <= 0 ? Environment.ProcessorCount : threads;
        _threads = new Thread[Threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"RobeGen worker {worker}" };
            _threads[i].Start();
        }
    }

    /// <summary>Workers, the calling thread included.</summary>
    public int Threads { get; }

    /// <summary>Runs items 0 .. count-1 of <paramref name="work"/> on all workers and returns when all are done.</summary>
    public void Run(IParallelWork work, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count <= 0) return;
        if (count == 1 || _threads.Length == 0)
        {
            for (int i = 0; i < count; i++) work.Execute(i, 0);
            return;
        }

        _work = work;
        _items = count;
        _next = 0;
        _failure = null;
        _running = _threads.Length;
        _done.Reset();
        lock (_gate)
        {
            _generation++;
            Monitor.PulseAll(_gate);
        }
        Drain(0);
        _done.Wait();
        _work = null;
        _failure?.Throw();
    }

    private void Drain(int worker)
    {
        IParallelWork work = _work!;
        int item;
        while ((item = Interlocked.Increment(ref _next) - 1) < _items)
        {
            try
            {
                work.Execute(item, worker);
            }
            catch (Exception e)
            {
                // Keep the first failure; the other items still run so that the pool stays consistent.
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
        }
    }

    private void WorkerLoop(int worker)
    {
        long seen = 0;
        while (true)
        {
            // A short spin catches the next call of a training step (GEMMs follow each other closely) without a
            // kernel wait; after it the thread blocks so that an idle model costs no CPU.
            for (int spin = 0; spin < SpinIterations && Volatile.Read(ref _generation) == seen && !_disposed; spin++)
                Thread.SpinWait(20);
            lock (_gate)
            {
                while (_generation == seen && !_disposed) Monitor.Wait(_gate);
                if (_disposed) return;
                seen = _generation;
            }
            Drain(worker);
            if (Interlocked.Decrement(ref _running) == 0) _done.Set();
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        foreach (Thread t in _threads) t.Join();
        _done.Dispose();
    }
}
