using RobeGen.Cpu.Threading;

namespace RobeGen.Cpu;

/// <summary>
/// Runs the generated <see cref="IEmbeddingKernels.Gather"/> over a batch split into sample ranges on the worker
/// pool (every range writes its own rows of the output and block starts, so the split does not change the result).
/// </summary>
internal sealed class EmbeddingGather : IParallelWork
{
    private const int SamplesPerItem = 64;

    private readonly IEmbeddingKernels _kernels;
    private readonly EmbeddingLayout _layout;
    private readonly WorkerPool _pool;
    private readonly int _tables, _dim, _maxBlocks;

    // The gather being run (valid during Run only).
    private float[] _weights = [];
    private ulong[] _tokens = [];
    private int[] _bagOffsets = [];
    private long[] _blockStarts = [];
    private float[] _output = [];
    private int _batch;

    public EmbeddingGather(IEmbeddingKernels kernels, EmbeddingLayout layout, WorkerPool pool)
    {
        _kernels = kernels;
        _layout = layout;
        _pool = pool;
        _tables = layout.TableCount;
        _dim = layout.Dim;
        _maxBlocks = layout.MaxBlocks;
    }

    /// <summary>output [batch, T, d] and blockStarts [batch, T, MaxBlocks] from tokens [batch, T].</summary>
    public void Run(float[] weights, ulong[] tokens, int batch, long[] blockStarts, float[] output) =>
        Run(weights, tokens, [], batch, blockStarts, output);

    /// <summary>output [batch, T, d] and blockStarts [ids, MaxBlocks] from the bags of a multi-hot batch.</summary>
    public void RunBags(float[] weights, int[] bagOffsets, ulong[] bagIds, int batch, long[] blockStarts, float[] output) =>
        Run(weights, bagIds, bagOffsets, batch, blockStarts, output);

    private void Run(float[] weights, ulong[] tokens, int[] bagOffsets, int batch, long[] blockStarts, float[] output)
    {
        _weights = weights; _tokens = tokens; _bagOffsets = bagOffsets; _blockStarts = blockStarts; _output = output; _batch = batch;
        try
        {
            _pool.Run(this, (batch + SamplesPerItem - 1) / SamplesPerItem);
        }
        finally
        {
            _weights = []; _tokens = []; _bagOffsets = []; _blockStarts = []; _output = [];
        }
    }

    public void Execute(int item, int worker)
    {
        int first = item * SamplesPerItem;
        int count = Math.Min(SamplesPerItem, _batch - first);
        if (_bagOffsets.Length > 0)
        {
            _kernels.GatherBags(_layout, _weights, _bagOffsets.AsSpan(first * _tables, count * _tables + 1), _tokens, count, _blockStarts,
                _output.AsSpan(first * _tables * _dim, count * _tables * _dim));
            return;
        }
        _kernels.Gather(_layout, _weights,
            _tokens.AsSpan(first * _tables, count * _tables), count,
            _blockStarts.AsSpan(first * _tables * _maxBlocks, count * _tables * _maxBlocks),
            _output.AsSpan(first * _tables * _dim, count * _tables * _dim));
    }
}
