using RobeGen.Backends;

namespace RobeGen.Checkpoints;

/// <summary>
/// Writes the tensors of a checkpoint body (<c>u32 n, n x (string name, f32[])</c>) from a state read piece by piece,
/// through the state's own small buffer: an embedding larger than the host holds goes from the device to the file. The
/// header's file length is counted from the tensors' shapes alone, so the pieces must match them exactly: a piece out of
/// order, or a tensor longer or shorter than its shape, stops the save rather than write a file its header misdescribes.
/// </summary>
internal sealed class TensorRecordWriter
{
    private readonly CheckpointSink _sink;
    private readonly IReadOnlyList<TensorShape> _shapes;
    private int _current = -1;
    private long _written; // floats of the current tensor written

    private TensorRecordWriter(CheckpointSink sink, IReadOnlyList<TensorShape> shapes)
    {
        _sink = sink;
        _shapes = shapes;
    }

    /// <summary>Writes every tensor of <paramref name="tensors"/> in pieces of at most <paramref name="pieceLength"/> floats (or, to a counting sink, only counts them).</summary>
    public static void Write(CheckpointSink sink, IStreamedState tensors, int pieceLength)
    {
        IReadOnlyList<TensorShape> shapes = tensors.StateShape;
        sink.WriteU32((uint)shapes.Count);
        var writer = new TensorRecordWriter(sink, shapes);
        if (sink.Writing) tensors.ReadState(writer.Append, pieceLength);
        writer.Finish();
    }

    private bool Append(string name, long start, ReadOnlySpan<float> values)
    {
        while (_current < 0 || _written == _shapes[_current].Length) StartNext(); // a tensor of no values gets no pieces
        TensorShape shape = _shapes[_current];
        if (name != shape.Name || start != _written || values.Length > shape.Length - _written)
            throw new InvalidOperationException(
                $"The state gave elements [{start}, {start + values.Length}) of '{name}' where elements from {_written} of '{shape.Name}' ({shape.Length} in all) were due.");
        _sink.WriteFloats(values);
        _written += values.Length;
        return true;
    }

    /// <summary>Starts the remaining records (all of them for a counting sink) and checks that every tensor came whole.</summary>
    private void Finish()
    {
        if (_current >= 0 && _written != _shapes[_current].Length)
            throw new InvalidOperationException($"The state gave {_written} of the {_shapes[_current].Length} elements of '{_shapes[_current].Name}'.");
        while (_current < _shapes.Count - 1)
        {
            StartNext();
            TensorShape shape = _shapes[_current];
            if (!_sink.Writing) _sink.Count(checked(shape.Length * sizeof(float)));
            else if (shape.Length != 0) throw new InvalidOperationException($"The state gave none of the {shape.Length} elements of '{shape.Name}'.");
        }
    }

    private void StartNext()
    {
        if (++_current == _shapes.Count) throw new InvalidOperationException("The state gave more values than its tensors' shapes hold.");
        _sink.WriteString(_shapes[_current].Name);
        _sink.WriteI64(_shapes[_current].Length);
        _written = 0;
    }
}
