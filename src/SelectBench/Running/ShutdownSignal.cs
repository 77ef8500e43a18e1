using System.Runtime.InteropServices;

namespace SelectBench.Running;

/// <summary>
/// A cancellation token tripped by Ctrl-C (SIGINT) or SIGTERM (what `kill` and Slurm's scancel send), so
/// an executor stops starting jobs and running jobs record that they were cancelled. A second Ctrl-C
/// ends the process at once; results are safe either way because nothing is published until complete.
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public ShutdownSignal(Action<string>? report = null)
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Trip(context, report));
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Trip(context, report));
    }

    public CancellationToken Token => _source.Token;

    private void Trip(PosixSignalContext context, Action<string>? report)
    {
        if (_source.IsCancellationRequested) return; // second signal: default handling ends the process
        context.Cancel = true;
        report?.Invoke($"selectbench: {context.Signal} received; finishing running jobs' bookkeeping and stopping (send again to quit at once).");
        _source.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _source.Dispose();
    }
}
