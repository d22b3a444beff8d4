using RobeGen.Checkpoints;
using RobeGen.Data;
using RobeGen.Training;

namespace RobeGen.Cli;

/// <summary>Which failures are the user's to fix (shown as one line) rather than bugs (shown with a stack trace).</summary>
internal static class CliErrors
{
    public static bool IsUserFacing(Exception e) => e
        is CliException
        or DataFormatException
        or CheckpointException
        or TrainingDivergedException
        or UnusableModelException
        or InsufficientMemoryException
        or FileNotFoundException
        or DirectoryNotFoundException
        or UnauthorizedAccessException
        or ArgumentException
        or FormatException
        or NotSupportedException
        or InvalidOperationException
        // Last resort for I/O the commands do not wrap themselves: .NET's message names the path ("No space left on device : '/x'").
        or IOException;

    /// <summary>
    /// The message as one line without .NET's parameter wording: ArgumentException appends " (Parameter 'options')" and
    /// ArgumentOutOfRangeException a second line "Actual value was 0.", which mean nothing to a command-line user.
    /// </summary>
    public static string OneLine(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentOutOfRangeException && message.IndexOf('\n') is var newline and >= 0) message = message[..newline];
        if (e is ArgumentException { ParamName: { } name }) message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        return string.Join("; ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
