using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Tests.Cuda.TestModels;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// Copies between managed arrays and device memory while the garbage collector moves young objects. ILGPU's
/// CopyToCPU/CopyFromCPU(ref T, length) take an element's address without pinning it; a compacting collection
/// between that and the copy sent a download to the array's old address (the array stayed zeros: the rare
/// "top.0 output ... 0 vs 1.4188081" failure of LayerEquivalenceTests) and could corrupt the heap. With those
/// overloads this test failed in each of 10 runs (and a longer version crashed or hung the test host); it must see none.
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public class HostCopyUnderGcTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    /// <summary>The unpinned copies went wrong within 10 to 1400 rounds (each a few export and import copies; 1500 take ~0.2 s).</summary>
    private const int Rounds = 1500;
    /// <summary>A cap for a busy machine, where a round can take far longer (every collection stops every thread).</summary>
    private static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(3);

    [Fact]
    public void Export_and_import_copy_the_right_values_while_collections_move_young_arrays()
    {
        var declaration = TinyModels.Declaration();
        var layout = EmbeddingLayout.FromDeclaration(declaration);
        var state = TestStates.RandomState(declaration, layout, OptimizerKind.Sgd, seed: 7);
        using var backend = new CudaDlrmBackend(TinyModels.Definition(declaration), new ModelOptions { MaxBatchSize = 4 }, state, fixture.Device);
        Assert.All(state.Tensors, t => Assert.Contains(t.Value, v => v != 0f)); // an all-zero download must not look right

        string? failure = null;
        int round = 0, collectionsBefore = GC.CollectionCount(0);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var collector = new CompactingCollections())
        {
            // Stops at the first wrong copy: a misdirected one may also have written into the heap.
            for (; round < Rounds && clock.Elapsed < MaxDuration && failure is null; round++)
            {
                collector.RequestOne(); // lands somewhere among this round's copies
                failure = Round(backend, state) is { } what ? $"round {round}: {what}" : null;
            }
        }
        Assert.True(failure is null, $"Under compacting collections, {failure}");
        int collections = GC.CollectionCount(0) - collectionsBefore;
        Assert.True(collections > 0, $"{round} rounds saw no collection: the test checked nothing");
    }

    /// <summary>Export, import + export; what came back wrong, or null. (No kernels: under back-to-back collections
    /// the CPU accelerator's launches crawl. Predict's copy into the caller's span goes the same pinned way.)</summary>
    private static string? Round(CudaDlrmBackend backend, ModelState state)
    {
        if (!SameState(state, backend.ExportState())) return "the exported state differs from the imported one";
        backend.ImportState(Copy(state));
        return SameState(state, backend.ExportState()) ? null : "a re-imported state reads back different";
    }

    private static bool SameState(ModelState expected, ModelState actual) =>
        expected.Tensors.All(t => t.Value.AsSpan().SequenceEqual(actual[t.Key]));

    private static ModelState Copy(ModelState state)
    {
        var copy = new ModelState();
        foreach (var (name, values) in state.Tensors) copy.Add(name, (float[])values.Clone());
        return copy;
    }

    /// <summary>
    /// A thread that forces a compacting gen-0 collection each time one is requested (at most one pending): one per
    /// round, at a random point of it, and never back to back (which starves the copying thread on a busy machine).
    /// </summary>
    private sealed class CompactingCollections : IDisposable
    {
        private readonly Thread _thread;
        private readonly AutoResetEvent _requested = new(false);
        private volatile bool _stop;

        public CompactingCollections()
        {
            _thread = new Thread(() =>
            {
                while (_requested.WaitOne() && !_stop) GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: true);
            })
            { IsBackground = true, Name = "compacting collections" };
            _thread.Start();
        }

        public void RequestOne() => _requested.Set();

        public void Dispose()
        {
            _stop = true;
            _requested.Set();
            _thread.Join();
            _requested.Dispose();
        }
    }
}
