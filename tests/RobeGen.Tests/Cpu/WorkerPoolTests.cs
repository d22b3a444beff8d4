using System.Collections.Concurrent;
using RobeGen.Cpu.Threading;

namespace RobeGen.Tests.Cpu;

public sealed class WorkerPoolTests
{
    private sealed class Recorder(int count) : IParallelWork
    {
        public readonly int[] Runs = new int[count];
        public readonly ConcurrentDictionary<int, bool> Workers = new();
        public int SleepMs;
        public bool Allocate;
        public int ThrowAt = -1;
        public object? Sink;

        public void Execute(int item, int worker)
        {
            Interlocked.Increment(ref Runs[item]);
            if (SleepMs > 0) Thread.Sleep(SleepMs);
            if (Allocate && worker != 0) Sink = new byte[1000];
            if (ThrowAt == item) throw new InvalidOperationException("item failed");
            Workers.TryAdd(worker, true);
        }
    }

    [Fact]
    public void Every_item_runs_exactly_once_over_many_calls()
    {
        using var pool = new WorkerPool(3);
        var random = new Random(1);
        for (int call = 0; call < 2000; call++)
        {
            int count = random.Next(1, 40);
            var work = new Recorder(count);
            pool.Run(work, count);
            Assert.All(work.Runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public void Generation_counter_wraps_around_safely()
    {
        using var pool = new WorkerPool(2, startGeneration: (1L << 23) - 3);
        for (int call = 0; call < 10; call++)
        {
            var work = new Recorder(16);
            pool.Run(work, 16);
            Assert.All(work.Runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public void Workers_share_the_items()
    {
        using var pool = new WorkerPool(2);
        var work = new Recorder(8) { SleepMs = 5 };
        pool.Run(work, 8);
        Assert.Equal(2, work.Workers.Count);
    }

    [Fact]
    public void A_failing_item_surfaces_on_the_caller_and_the_pool_keeps_working()
    {
        using var pool = new WorkerPool(2);
        var failing = new Recorder(10) { ThrowAt = 7 };
        Assert.Throws<InvalidOperationException>(() => pool.Run(failing, 10));
        Assert.All(failing.Runs, r => Assert.Equal(1, r));
        var next = new Recorder(10);
        pool.Run(next, 10);
        Assert.All(next.Runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void Allocations_on_worker_threads_are_counted()
    {
        using var pool = new WorkerPool(2);
        long before = pool.WorkerAllocatedBytes;
        var work = new Recorder(8) { SleepMs = 5, Allocate = true };
        pool.Run(work, 8);
        Assert.True(pool.WorkerAllocatedBytes - before >= 1000);
    }
}
