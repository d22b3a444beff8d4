using RobeGen.Data;

namespace RobeGen.Tests.Training;

/// <summary>Training data held as a list of equal-size batches; position i means "batch i is next" (line = i x size).</summary>
internal sealed class InMemoryTrainingData(IReadOnlyList<Batch> batches) : ITrainingData
{
    public string Description => $"{batches.Count} in-memory batches";

    public IBatchCursor Open(DataPosition start, int batchSize)
    {
        Assert.Equal(batches[0].Count, batchSize);
        return new Cursor(batches, (int)(start.Line / batchSize), batchSize);
    }

    private sealed class Cursor(IReadOnlyList<Batch> batches, int next, int batchSize) : IBatchCursor
    {
        public Batch Current { get; private set; } = null!;
        public DataPosition Position => new(0, (long)next * batchSize);

        public bool MoveNext()
        {
            if (next >= batches.Count) return false;
            Current = batches[next++];
            return true;
        }

        public void Dispose() { }
    }
}
