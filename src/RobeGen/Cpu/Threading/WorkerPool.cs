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
/// which keeps the training step allocation-free. Items are claimed dynamically, so the schedule varies, but every
/// item computes the same thing whichever thread runs it: results never depend on the schedule.
/// <para>
/// The caller claims items too and waits only for items already claimed, never for a worker that has not woken up
/// yet: on a busy machine a sleeping worker simply misses the call instead of delaying it.
/// </para>
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    // The ticket packs the call's generation, its item count and the next unclaimed item into one word, so that a
    // claim (one compare-and-swap) can never mix two calls: a late worker's stale claim fails on the generation.
    private const int IndexBits = 20;
    private const long IndexMask = (1L << IndexBits) - 1;
    private const int GenerationShift = 2 * IndexBits;
    /// <summary>The generation wraps around within the 23 bits left (the sign bit stays clear).</summary>
    private const long GenerationMask = (1L << (63 - GenerationShift)) - 1;
    /// <summary>Most items one call may have.</summary>
    public const int MaxItems = (int)IndexMask;
    private const int SpinIterations = 200;

    private readonly Thread[] _threads;
    private readonly object _gate = new();
    // Completion is signalled with Monitor on a lock of our own: ManualResetEventSlim allocates its lock object the
    // first time a wait really blocks, which would break the allocation-free steady state at an unpredictable step.
    private readonly object _doneGate = new();
    private long _finished;
    private IParallelWork? _work;
    private long _ticket;
    private int _completed;
    private bool _disposed;
    private ExceptionDispatchInfo? _failure;
    private long _workerAllocatedBytes;

    public WorkerPool(int threads) : this(threads, startGeneration: 0)
    {
    }

    /// <summary>Tests start near the generation's wrap-around, which a long training run reaches after 2^23 calls.</summary>
    internal WorkerPool(int threads, long startGeneration)
    {
        _ticket = (startGeneration & GenerationMask) << GenerationShift;
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

    /// <summary>Bytes the pool's own threads have allocated while running items (the caller's thread not included):
    /// lets tests prove that a parallel step allocates nothing, which process-wide counters cannot in a busy test host.</summary>
    public long WorkerAllocatedBytes => Interlocked.Read(ref _workerAllocatedBytes);

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
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxItems);

        _work = work;
        _completed = 0;
        _failure = null;
        long generation = (Generation + 1) & GenerationMask;
        lock (_gate)
        {
            Volatile.Write(ref _ticket, (generation << GenerationShift) | ((long)count << IndexBits));
            Monitor.PulseAll(_gate);
        }
        Claim(generation, 0);
        WaitFinished(generation);
        _work = null;
        _failure?.Throw();
    }

    /// <summary>Claims and runs items of call <paramref name="generation"/> until none is left.</summary>
    private void Claim(long generation, int worker)
    {
        while (true)
        {
            long ticket = Volatile.Read(ref _ticket);
            int next = (int)(ticket & IndexMask), count = (int)((ticket >> IndexBits) & IndexMask);
            if (ticket >> GenerationShift != generation || next >= count) return;
            if (Interlocked.CompareExchange(ref _ticket, ticket + 1, ticket) != ticket) continue;

            // The claimed item is not done, so the call cannot have ended: _work is this call's.
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                _work!.Execute(next, worker);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            if (worker != 0) Interlocked.Add(ref _workerAllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - allocated);
            if (Interlocked.Increment(ref _completed) == count) SignalFinished(generation);
        }
    }

    /// <summary>Called once per call, by whoever completes its last item.</summary>
    private void SignalFinished(long generation)
    {
        lock (_doneGate)
        {
            Volatile.Write(ref _finished, generation);
            Monitor.PulseAll(_doneGate);
        }
    }

    private void WaitFinished(long generation)
    {
        // The last items are usually a moment from done: spin briefly before sleeping.
        for (int spin = 0; spin < SpinIterations; spin++)
        {
            if (Volatile.Read(ref _finished) == generation) return;
            Thread.SpinWait(30);
        }
        lock (_doneGate)
        {
            while (Volatile.Read(ref _finished) != generation) Monitor.Wait(_doneGate);
        }
    }

    private void WorkerLoop(int worker)
    {
        long seen = 0;
        while (true)
        {
            // A short spin catches the next call of a training step (GEMMs follow each other closely) without a
            // kernel wait; after it the thread blocks, so an idle model costs no CPU.
            for (int spin = 0; spin < SpinIterations && Generation == seen && !_disposed; spin++) Thread.SpinWait(30);
            lock (_gate)
            {
                while (Generation == seen && !_disposed) Monitor.Wait(_gate);
                if (_disposed) return;
                seen = Generation;
            }
            Claim(seen, worker);
        }
    }

    private long Generation => Volatile.Read(ref _ticket) >> GenerationShift;

    public void Dispose()
    {
        if (_disposed) return;
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        foreach (Thread t in _threads) t.Join();
    }
}
