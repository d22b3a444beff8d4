using Microsoft.Extensions.Logging;

namespace RobeGen.Cli.Output;

/// <summary>The library's warnings as robegen prints them: one "robegen: ..." line on stderr (the library itself never prints).</summary>
internal sealed class StderrLogger : ILogger
{
    public static readonly StderrLogger Instance = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel)) Console.Error.WriteLine($"robegen: {formatter(state, exception)}");
    }
}
