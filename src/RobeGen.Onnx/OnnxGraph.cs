using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace RobeGen.Onnx;

/// <summary>
/// A small builder over the ONNX protobuf classes: nodes with generated, readable output names, initializers from
/// spans (raw little-endian bytes), and scalar or vector int64 constants that are written once however often they
/// are asked for. It knows nothing of DLRMs; the graph pieces (<see cref="DenseTower"/>, <see cref="EmbeddingLookups"/>,
/// <see cref="DotInteractionGraph"/>) do.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The batch dimension's symbolic name in every input and output.</summary>
    public const string BatchDim = "batch";

    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public GraphProto Proto { get; }

    public OnnxGraph(string name) => Proto = new GraphProto { Name = name };

    /// <summary>Adds node <paramref name="op"/> and returns its (single) output's name, <paramref name="hint"/> made unique.</summary>
    public string Node(string op, string hint, params string[] inputs) => Node(op, hint, inputs, static _ => { });

    /// <summary>Adds node <paramref name="op"/> with attributes and returns its output's name.</summary>
    public string Node(string op, string hint, string[] inputs, Action<NodeProto> attributes, string domain = "")
    {
        string output = Unique(hint);
        var node = new NodeProto { OpType = op, Name = output + "_" + op, Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        attributes(node);
        Proto.Node.Add(node);
        return output;
    }

    /// <summary>A float tensor initializer of the given shape holding <paramref name="values"/>.</summary>
    public string Floats(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        string unique = Unique(name);
        var tensor = new TensorProto { Name = unique, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        Proto.Initializer.Add(tensor);
        return unique;
    }

    /// <summary>An int64 constant of the given shape (1-D when <paramref name="dims"/> is empty); equal constants are shared.</summary>
    public string Int64s(ReadOnlySpan<long> values, params long[] dims)
    {
        if (dims.Length == 0) dims = [values.Length];
        string key = string.Join(',', dims) + ":" + string.Join(',', values.ToArray());
        if (_constants.TryGetValue(key, out string? existing)) return existing;
        string name = Unique("const");
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values.ToArray());
        Proto.Initializer.Add(tensor);
        _constants[key] = name;
        return name;
    }

    /// <summary>A scalar int64 constant (shape []), shared.</summary>
    public string Int64(long value)
    {
        string key = "scalar:" + value;
        if (_constants.TryGetValue(key, out string? existing)) return existing;
        string name = Unique("const");
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Int64Data.Add(value);
        Proto.Initializer.Add(tensor);
        _constants[key] = name;
        return name;
    }

    /// <summary>A scalar float constant (shape []), shared.</summary>
    public string Float(float value)
    {
        string key = "float:" + BitConverter.SingleToInt32Bits(value);
        if (_constants.TryGetValue(key, out string? existing)) return existing;
        string name = Floats("const", [value]);
        Proto.Initializer[^1].Dims.Clear();
        _constants[key] = name;
        return name;
    }

    /// <summary>Declares a graph input of element type <paramref name="type"/>: the batch dimension, then <paramref name="dims"/>.</summary>
    public void Input(string name, TensorProto.Types.DataType type, string doc, params long[] dims) =>
        Proto.Input.Add(Value(Claim(name), type, doc, dims));

    /// <summary>Declares a 1-D graph input whose one dimension is the symbolic <paramref name="dim"/> (a bag table's ids,
    /// whose count is not the batch's).</summary>
    public void VectorInput(string name, TensorProto.Types.DataType type, string doc, string dim) =>
        Proto.Input.Add(Value(Claim(name), type, doc, [], dim));

    /// <summary>True when <paramref name="name"/> is already a value of the graph (an input or a node's output).</summary>
    public bool Has(string name) => _names.Contains(name);

    /// <summary>Declares a graph output (batch dimension first).</summary>
    public void Output(string name, TensorProto.Types.DataType type, string doc, params long[] dims) =>
        Proto.Output.Add(Value(name, type, doc, dims));

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, string doc, long[] dims, string firstDim = BatchDim)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = firstDim });
        foreach (long d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape };
        return new ValueInfoProto { Name = name, DocString = doc, Type = new TypeProto { TensorType = tensor } };
    }

    private string Claim(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"The ONNX graph already has a value named '{name}'.");
        return name;
    }

    private string Unique(string hint)
    {
        string name = hint;
        while (!_names.Add(name)) name = $"{hint}_{++_counter}";
        return name;
    }
}
