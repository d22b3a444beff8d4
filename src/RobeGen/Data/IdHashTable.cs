namespace RobeGen.Data;

/// <summary>
/// An open-addressing hash table from 32-bit ids (held as ulong, as in batches) to a uint, used to count ids and
/// to map ids to vocabulary indices. About 12 bytes per slot at most 70% full: a fraction of a Dictionary's
/// footprint, which matters for the hundreds of millions of distinct ids of Criteo 1TB. Not thread-safe.
/// </summary>
internal sealed class IdHashTable
{
    private const ulong Empty = ulong.MaxValue;
    private const double MaxLoad = 0.7;

    private ulong[] _keys;
    private uint[] _values;
    private int _shift;
    private long _growAt;

    public IdHashTable(long expectedCount = 1024)
    {
        int bits = 4;
        while ((1L << bits) * MaxLoad < expectedCount) bits++;
        Allocate(bits);
    }

    public long Count { get; private set; }

    /// <summary>The value of <paramref name="id"/>, added as 0 when absent.</summary>
    public ref uint GetOrAdd(ulong id)
    {
        if (id > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(id), id, "ids are 32-bit");
        if (Count >= _growAt) Grow();
        long mask = _keys.Length - 1;
        for (long slot = Home(id); ; slot = (slot + 1) & mask)
        {
            ulong key = _keys[slot];
            if (key == id) return ref _values[slot];
            if (key == Empty)
            {
                _keys[slot] = id;
                Count++;
                return ref _values[slot];
            }
        }
    }

    public bool TryGetValue(ulong id, out uint value)
    {
        long mask = _keys.Length - 1;
        for (long slot = Home(id); ; slot = (slot + 1) & mask)
        {
            ulong key = _keys[slot];
            if (key == id)
            {
                value = _values[slot];
                return true;
            }
            if (key == Empty)
            {
                value = 0;
                return false;
            }
        }
    }

    /// <summary>Every (id, value) pair, in no particular order.</summary>
    public IEnumerable<(ulong Id, uint Value)> Entries()
    {
        for (long i = 0; i < _keys.Length; i++)
            if (_keys[i] != Empty) yield return (_keys[i], _values[i]);
    }

    // Fibonacci hashing: the top bits of id * 2^64/phi spread even sequential ids evenly.
    private long Home(ulong id) => (long)((id * 0x9E3779B97F4A7C15UL) >> _shift);

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_keys), nameof(_values))]
    private void Allocate(int bits)
    {
        // 2^30 slots is the largest power of two below Array.MaxLength: about 750 million ids.
        if (bits > 30) throw new InvalidOperationException($"More than {(long)((1L << 30) * MaxLoad):N0} distinct ids in one column.");
        _keys = new ulong[1L << bits];
        _values = new uint[1L << bits];
        Array.Fill(_keys, Empty);
        _shift = 64 - bits;
        _growAt = (long)((1L << bits) * MaxLoad);
    }

    private void Grow()
    {
        ulong[] keys = _keys;
        uint[] values = _values;
        Allocate(64 - _shift + 1);
        long mask = _keys.Length - 1;
        for (long i = 0; i < keys.Length; i++)
        {
            if (keys[i] == Empty) continue;
            long slot = Home(keys[i]);
            while (_keys[slot] != Empty) slot = (slot + 1) & mask;
            _keys[slot] = keys[i];
            _values[slot] = values[i];
        }
    }
}
