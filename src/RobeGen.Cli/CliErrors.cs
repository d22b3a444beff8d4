using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Onnx;
using RobeGen.Training;

namespace RobeGen.Cli;

/// <summary>Which failures are the user's to fix (shown as one line) rather than bugs (shown with a stack trace).</summary>
internal static class CliErrors
{
    public static bool IsUserFacing(Exception e) => e
        is DataFormatException
        or CheckpointException
        or OnnxExportException
        or TrainingDivergedException
        or FileNotFoundException
        or DirectoryNotFoundException
        or UnauthorizedAccessException
        or ArgumentException
        or FormatException
        or NotSupportedException
        or InvalidOperationException;
}
