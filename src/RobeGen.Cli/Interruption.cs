using System.Runtime.InteropServices;

namespace RobeGen.Cli;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM during training: the first one asks the run to stop after the current step (the trainer
/// then saves to --save atomically) instead of killing the process mid-step; a second one terminates as usual, and the
/// atomic save leaves the previous checkpoint intact even then. The exit code is 128 + the signal number (130, 143).
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private PosixSignal? _signal;

    public Interruption()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>The signal that stopped the run, or null.</summary>
    public string? SignalName => _signal switch { PosixSignal.SIGINT => "SIGINT", PosixSignal.SIGTERM => "SIGTERM", _ => null };

    public int ExitCode => _signal == PosixSignal.SIGTERM ? 143 : 130;

    private void OnSignal(PosixSignalContext context)
    {
        if (_signal is not null) return; // the second signal: let the default action end the process
        _signal = context.Signal;
        context.Cancel = true;
        _stop.Cancel();
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations) registration.Dispose();
        _stop.Dispose();
    }
}
