namespace RobeGen.Cli;

/// <summary>A problem the command line itself found (a flag, a path), already worded for the user; <see cref="ExitCode"/> 2 is bad usage.</summary>
internal sealed class CliException(string message, int exitCode = 1, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
