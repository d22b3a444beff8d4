namespace RobeGen.Onnx;

/// <summary>A model that cannot be written as ONNX (too large for one protobuf file, an unsupported setting), or an output that cannot be written.</summary>
public sealed class OnnxExportException : Exception
{
    public OnnxExportException(string message) : base(message) { }

    public OnnxExportException(string message, Exception inner) : base(message, inner) { }
}
