using System.Diagnostics.CodeAnalysis;

namespace RobeGen.Data;

/// <summary>
/// A small blocking FIFO of fixed capacity (a ring under one lock) for the reader pipeline. Unlike
/// BlockingCollection it allocates nothing after construction. After <see cref="Complete"/>, adds fail and takes
/// drain what is left.
/// </summary>
internal sealed class BoundedQueue<T> where T : class
{
    private readonly T?[] _items;
    private readonly object _lock = new();
    private int _head;
    private int _count;
    private bool _completed;

    public BoundedQueue(int capacity) => _items = new T?[capacity];

    /// <summary>Blocks while full; false (item not added) once completed.</summary>
    public bool TryAdd(T item)
    {
        lock (_lock)
        {
            while (_count == _items.Length && !_completed) Monitor.Wait(_lock);
            if (_completed) return false;
            _items[(_head + _count) % _items.Length] = item;
            _count++;
            Monitor.PulseAll(_lock);
            return true;
        }
    }

    /// <summary>Blocks while empty; false once completed and drained.</summary>
    public bool TryTake([NotNullWhen(true)] out T? item)
    {
        lock (_lock)
        {
            while (_count == 0 && !_completed) Monitor.Wait(_lock);
            if (_count == 0)
            {
                item = null;
                return false;
            }
            item = _items[_head]!;
            _items[_head] = null;
            _head = (_head + 1) % _items.Length;
            _count--;
            Monitor.PulseAll(_lock);
            return true;
        }
    }

    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            Monitor.PulseAll(_lock);
        }
    }
}
