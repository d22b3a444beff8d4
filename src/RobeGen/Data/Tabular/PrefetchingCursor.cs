using System.Runtime.ExceptionServices;

namespace RobeGen.Data.Tabular;

/// <summary>
/// Reads ahead: a background thread decodes the next batches of a <see cref="TabularCursor"/> into spare buffers while
/// the consumer trains on the current one, so decoding overlaps the training step. Batches, positions and errors come
/// out in the order a plain cursor gives them (an error after every batch read before it).
/// </summary>
internal sealed class PrefetchingCursor : IBatchCursor
{
    private sealed record Filled(Batch Batch, DataPosition Position);

    private readonly TabularCursor _source;
    private readonly BoundedQueue<Batch> _free;
    private readonly BoundedQueue<Filled> _ready;
    private readonly Thread _thread;
    private Filled? _current;
    private ExceptionDispatchInfo? _error;
    private volatile bool _stopping;

    /// <param name="source">The cursor to read ahead of (owned: disposed with this one).</param>
    /// <param name="shape">A batch of the source's shape; <paramref name="depth"/> more like it are read ahead.</param>
    /// <param name="depth">Batches decoded ahead of the consumer.</param>
    public PrefetchingCursor(TabularCursor source, Batch shape, int depth = 2)
    {
        _source = source;
        _free = new BoundedQueue<Batch>(depth + 1);
        _ready = new BoundedQueue<Filled>(depth + 1);
        for (int i = 0; i <= depth; i++) _free.TryAdd(BagWriter.CreateLike(shape));
        Position = source.Position;
        _thread = new Thread(Produce) { IsBackground = true, Name = "RobeGen tabular reader" };
        _thread.Start();
    }

    public Batch Current => _current?.Batch ?? throw new InvalidOperationException("MoveNext has not returned a batch.");
    public DataPosition Position { get; private set; }

    public bool MoveNext()
    {
        if (_current is not null) _free.TryAdd(_current.Batch);
        _current = null;
        if (_ready.TryTake(out Filled? next))
        {
            (_current, Position) = (next, next.Position);
            return true;
        }
        _error?.Throw();
        return false;
    }

    private void Produce()
    {
        try
        {
            while (!_stopping && _free.TryTake(out Batch? batch))
            {
                if (!_source.Fill(batch)) return;
                if (!_ready.TryAdd(new Filled(batch, _source.Position))) return;
            }
        }
        catch (Exception e)
        {
            _error = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            _ready.Complete();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _free.Complete();
        _ready.Complete();
        _thread.Join();
        _source.Dispose();
    }
}
