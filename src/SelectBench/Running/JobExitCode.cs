namespace SelectBench.Running;

/// <summary>
/// The exit codes of `selectbench job` (docs/running.md), which the local executor reads to decide whether
/// another attempt may pass. One definition, used by the command that returns them and the executor that reads them.
/// </summary>
public static class JobExitCode
{
    /// <summary>The job ran, or was already done with its key.</summary>
    public const int Done = 0;

    /// <summary>An unexpected exception (a bug, or libtorch's ExternalException): another attempt may pass.</summary>
    public const int Crashed = 1;

    /// <summary>A SelectBenchException (bad settings or input, divergence; also a bad command line or run folder): it would fail again.</summary>
    public const int Failed = 2;

    /// <summary>Cancelled (Ctrl-C, SIGTERM, or its parent run closed its stdin): 128 + SIGINT, as a shell reports a Ctrl-C.</summary>
    public const int Cancelled = 130;

    /// <summary>Codes above this are deaths by signal (code - 128), as the OS reports them: 134 SIGABRT, 137 SIGKILL, 139 SIGSEGV.</summary>
    private const int SignalBase = 128;

    public static int Of(JobOutcome outcome) => outcome.Kind switch
    {
        JobOutcomeKind.Ran or JobOutcomeKind.Skipped => Done,
        JobOutcomeKind.Cancelled => Cancelled,
        _ => outcome.Crashed ? Crashed : Failed,
    };

    /// <summary>"SIGSEGV" for exit code 139; null for a code that is not a death by signal (Cancelled is the job's own exit).</summary>
    public static string? SignalName(int exitCode)
    {
        if (exitCode <= SignalBase || exitCode == Cancelled) return null;
        var signal = exitCode - SignalBase;
        // Linux numbering; .NET reports a process killed by signal n as exit code 128 + n, like a shell.
        return signal switch
        {
            1 => "SIGHUP",
            3 => "SIGQUIT",
            4 => "SIGILL",
            5 => "SIGTRAP",
            6 => "SIGABRT",
            7 => "SIGBUS",
            8 => "SIGFPE",
            9 => "SIGKILL",
            11 => "SIGSEGV",
            13 => "SIGPIPE",
            15 => "SIGTERM",
            _ => $"signal {signal}",
        };
    }
}
