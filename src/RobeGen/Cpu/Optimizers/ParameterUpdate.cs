using RobeGen.Backends;
using RobeGen.Cpu.Threading;

namespace RobeGen.Cpu.Optimizers;

/// <summary>One dense parameter tensor with its gradient and (Adagrad) accumulator.</summary>
internal sealed record DenseTensor(float[] Weights, float[] Grad, float[] Accumulator);

/// <summary>
/// One optimizer step over every parameter, on the worker pool in a single call: dense tensors cut into chunks,
/// and the embedding array cut into slot ranges, each owned by one item (see <see cref="SparseEmbeddingOptimizer"/>).
/// Every value gets the same arithmetic whatever the thread count.
/// </summary>
internal sealed class ParameterUpdate : IParallelWork
{
    private const int ChunkLength = 1 << 14;
    /// <summary>Fewer (sample, table) records than this are walked by one item. Every sparse item walks all records
    /// but updates only its slot range, so the walk is repeated; at batch 128 (3,328 records) the updates (~0.3 ms on
    /// one thread, random slots) are worth splitting over two threads.</summary>
    private const int RecordsPerSparseItem = 1 << 10;

    private readonly WorkerPool _pool;
    private readonly OptimizerKind _optimizer;
    private readonly EmbeddingLayout _layout;
    private readonly DenseTensor[] _dense;
    private readonly (int Tensor, int Offset, int Length)[] _chunks;
    private readonly float[] _embedding, _embeddingGrad, _embeddingAccumulator;

    // The step being run (valid during Apply only).
    private long[] _blockStarts = [];
    private int[] _bagOffsets = [];
    private int _batch, _sparseItems;
    private float _learningRate;

    public ParameterUpdate(WorkerPool pool, OptimizerKind optimizer, EmbeddingLayout layout, DenseTensor[] dense,
        float[] embedding, float[] embeddingGrad, float[] embeddingAccumulator)
    {
        _pool = pool;
        _optimizer = optimizer;
        _layout = layout;
        _dense = dense;
        _embedding = embedding;
        _embeddingGrad = embeddingGrad;
        _embeddingAccumulator = embeddingAccumulator;
        var chunks = new List<(int, int, int)>();
        for (int t = 0; t < dense.Length; t++)
            for (int offset = 0; offset < dense[t].Weights.Length; offset += ChunkLength)
                chunks.Add((t, offset, Math.Min(ChunkLength, dense[t].Weights.Length - offset)));
        _chunks = chunks.ToArray();
    }

    /// <summary>Updates every parameter from its gradient; the embedding only at the slots of <paramref name="blockStarts"/>
    /// (one record per id of a multi-hot batch, whose <paramref name="bagOffsets"/> say which table each id is of).</summary>
    public void Apply(long[] blockStarts, int batch, float learningRate, int[]? bagOffsets = null)
    {
        _blockStarts = blockStarts;
        _bagOffsets = bagOffsets ?? [];
        _batch = batch;
        _learningRate = learningRate;
        int records = bagOffsets is null ? batch * _layout.TableCount : bagOffsets[batch * _layout.TableCount];
        _sparseItems = Math.Clamp(records / RecordsPerSparseItem, 1, _pool.Threads);
        try
        {
            _pool.Run(this, _sparseItems + _chunks.Length);
        }
        finally
        {
            _blockStarts = [];
            _bagOffsets = [];
        }
    }

    public void Execute(int item, int worker)
    {
        // Sparse items come first: they are the longest (random slots), so they should not start last.
        if (item < _sparseItems)
        {
            long slots = _embedding.Length;
            SparseEmbeddingOptimizer.Update(_layout, _blockStarts, _batch, _optimizer, _embedding, _embeddingGrad, _embeddingAccumulator,
                _learningRate, slots * item / _sparseItems, slots * (item + 1) / _sparseItems, _bagOffsets);
            return;
        }
        {
            var (tensor, offset, length) = _chunks[item - _sparseItems];
            DenseTensor t = _dense[tensor];
            if (_optimizer == OptimizerKind.Adagrad)
                DenseOptimizer.Adagrad(t.Weights.AsSpan(offset, length), t.Accumulator.AsSpan(offset, length), t.Grad.AsSpan(offset, length), _learningRate);
            else
                DenseOptimizer.Sgd(t.Weights.AsSpan(offset, length), t.Grad.AsSpan(offset, length), _learningRate);
        }
    }
}
