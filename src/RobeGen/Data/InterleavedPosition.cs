namespace RobeGen.Data;

/// <summary>
/// Where files read at once stand (<see cref="CriteoReaderOptions.InterleaveFiles"/>): lane k reads files k, k + n,
/// k + 2n, ... of the data set (n lanes), and the batches go round the lanes, one from each, skipping lanes that have
/// ended. Each lane's place is an ordinary <see cref="DataPosition"/> (a file of that lane, or past the last file once
/// the lane has ended); <see cref="Next"/> is the lane that gives the next batch. Equal positions resume identically.
/// </summary>
public sealed class InterleavedPosition : IEquatable<InterleavedPosition>
{
    /// <summary>Most files read at once: far above any useful count, low enough that a forged checkpoint cannot ask for a huge allocation.</summary>
    public const int MaxLanes = 1024;

    private readonly DataPosition[] _lanes;

    /// <param name="lanes">Each lane's place (in-order positions: no nesting).</param>
    /// <param name="next">The lane that gives the next batch.</param>
    public InterleavedPosition(IReadOnlyList<DataPosition> lanes, int next)
    {
        ArgumentNullException.ThrowIfNull(lanes);
        if (lanes.Count < 2 || lanes.Count > MaxLanes)
            throw new ArgumentOutOfRangeException(nameof(lanes), lanes.Count, $"Interleaved reading takes 2 to {MaxLanes} lanes.");
        ArgumentOutOfRangeException.ThrowIfNegative(next);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(next, lanes.Count);
        for (int k = 0; k < lanes.Count; k++)
            if (lanes[k].Interleaved is not null || lanes[k].FileIndex < 0 || lanes[k].Line < 0)
                throw new ArgumentException($"Lane {k}'s position {lanes[k]} is not a place in a file.", nameof(lanes));
        _lanes = lanes.ToArray();
        Next = next;
    }

    /// <summary>Each lane's place.</summary>
    public IReadOnlyList<DataPosition> Lanes => _lanes;
    /// <summary>The lane that gives the next batch.</summary>
    public int Next { get; }

    /// <summary>
    /// The start of reading <paramref name="lanes"/> files at once from <paramref name="start"/>: lane 0 at it, lane k at
    /// the start of the k-th file after it (past the last of <paramref name="fileCount"/> files where there is none).
    /// </summary>
    public static InterleavedPosition Begin(DataPosition start, int lanes, int fileCount)
    {
        if (start.Interleaved is not null) throw new ArgumentException("Already an interleaved position.", nameof(start));
        var places = new DataPosition[lanes];
        places[0] = start;
        for (int k = 1; k < lanes; k++)
            places[k] = start.FileIndex + k < fileCount ? new DataPosition(start.FileIndex + k, 0) : new DataPosition(fileCount, 0);
        return new InterleavedPosition(places, 0);
    }

    /// <summary>This as a <see cref="DataPosition"/>: the next lane's place, carrying every lane's.</summary>
    public DataPosition AsDataPosition() => _lanes[Next] with { Interleaved = this };

    /// <summary>Equal when every lane's place and the next lane are equal.</summary>
    public bool Equals(InterleavedPosition? other) =>
        other is not null && Next == other.Next && _lanes.AsSpan().SequenceEqual(other._lanes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as InterleavedPosition);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Next);
        foreach (DataPosition lane in _lanes) hash.Add(lane);
        return hash.ToHashCode();
    }

    /// <summary>"files read at once: file 0, line 10; file 1, line 0 (next)".</summary>
    public override string ToString() =>
        "files read at once: " + string.Join("; ", _lanes.Select((lane, k) => $"file {lane.FileIndex}, line {lane.Line}" + (k == Next ? " (next)" : "")));
}
