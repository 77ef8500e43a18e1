using System.Diagnostics;
using System.Globalization;
using SelectBench.Common;

namespace SelectBench.Running;

/// <summary>
/// Runs each attempt in a process of its own, `dotnet SelectBench.Cli.dll job &lt;run&gt; &lt;id&gt; --threads N --supervised`,
/// so a native fault (a libtorch use-after-free, an abort) ends only that job: the executor records it,
/// retries it, and the other jobs go on. The child's exit code says how it ended (<see cref="JobExitCode"/>).
/// <para>
/// Log: the child writes its log to stdout, and this process appends that, with the child's stderr (where
/// the runtime and libtorch print what killed them), to jobs/&lt;id&gt;/job.log. Only one process writes the
/// file at a time: two appenders without O_APPEND, which .NET does not use, would overwrite each other.
/// </para>
/// <para>
/// Stopping: on cancellation the child's stdin is closed, which `job --supervised` takes as a Ctrl-C; a child
/// that has not ended after the stop grace is killed with its process tree. If this process dies, even by
/// SIGKILL, the operating system closes the pipe just the same, so no job outlives its run.
/// </para>
/// </summary>
public sealed class ChildProcessLauncher : IJobLauncher
{
    public const string CliFile = "SelectBench.Cli.dll";

    /// <summary>How long a job has, once asked to stop, to finish its step and record that it was cancelled.</summary>
    public static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(10);

    private readonly string _cli;
    private readonly TimeSpan _stopGrace;

    /// <param name="cliPath">The CLI to start; null: SelectBench.Cli.dll beside this library (the CLI's output folder
    /// holds it, and so does the test project's).</param>
    /// <param name="stopGrace">How long a cancelled child may take to stop before it is killed (default <see cref="DefaultStopGrace"/>).</param>
    public ChildProcessLauncher(string? cliPath = null, TimeSpan? stopGrace = null)
    {
        _cli = Path.GetFullPath(cliPath ?? Path.Combine(AppContext.BaseDirectory, CliFile));
        if (!File.Exists(_cli))
            throw new SelectBenchException(
                $"cannot find {_cli}: the local executor starts each job as `dotnet {CliFile} job ...`. Build src/SelectBench.Cli " +
                "(dotnet build -c Release), or run the jobs as threads with --executor local-threads.");
        _stopGrace = stopGrace ?? DefaultStopGrace;
    }

    public JobOutcome Run(RunFolder run, PlannedJob job, int threads, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var launched = DateTimeOffset.UtcNow;
        var logPath = run.LogPath(job.Id);
        Directory.CreateDirectory(run.JobFolder(job.Id));
        using var logFile = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var log = TextWriter.Synchronized(logFile);
        string? firstErrorLine = null;

        var start = new ProcessStartInfo(DotnetHost(),
            [_cli, "job", run.Root, job.Id, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--supervised"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment[ProgressBar.DisableVariable] = "1"; // the run shows one bar; a child's bars would only fill its log
        using var child = Process.Start(start)
                          ?? throw new SelectBenchException($"could not start `{start.FileName} {CliFile} job` for '{job.Id}'.");
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null) log.WriteLine(e.Data);
        };
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            if (e.Data.Length > 0) Interlocked.CompareExchange(ref firstErrorLine, e.Data, null);
            log.WriteLine(e.Data);
        };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        var stopped = WaitOrStop(child, cancellation);
        child.WaitForExit(); // returns once the output handlers have seen the end of both streams

        var exitCode = child.ExitCode;
        var signal = JobExitCode.SignalName(exitCode);
        log.WriteLine($"=== {DateTimeOffset.UtcNow:O} process {child.Id} exited with code {exitCode}{(signal is null ? "" : $" ({signal})")}");
        var status = run.ReadStatus(job.Id);
        // The child's own record of this attempt, if it got as far as writing one.
        var recorded = status is not null && status.Key == job.Key && status.Pid == child.Id && status.StartedAt >= launched ? status : null;
        var ended = recorded is { State: not JobState.Running };

        AttemptOutcome outcome;
        string? error;
        // Committed results are complete whatever happened after the commit (a native crash in a finaliser at exit).
        if (run.IsDone(job))
            (outcome, error) = (AttemptOutcome.Done, null);
        else if (stopped || exitCode == JobExitCode.Cancelled)
            (outcome, error) = (AttemptOutcome.Cancelled, ended ? recorded!.Error
                : $"cancelled; the job did not stop within {_stopGrace.TotalSeconds:0.#} s and was killed");
        else if (exitCode == JobExitCode.Failed)
            (outcome, error) = (AttemptOutcome.Failed, ended ? recorded!.Error : firstErrorLine ?? $"`selectbench job` exited with code {exitCode}");
        else if (exitCode == JobExitCode.Crashed && ended)
            (outcome, error) = (AttemptOutcome.Crashed, recorded!.Error);
        else
            (outcome, error) = (AttemptOutcome.Crashed,
                (signal is null ? $"the job's process exited with code {exitCode} without finishing" : $"the job's process died from {signal} (exit code {exitCode})")
                + (firstErrorLine is null ? "" : $"; its stderr began: {firstErrorLine}"));

        // Complete the record: the exit code always; the end too when the child could not write it (a crash, a kill).
        var record = recorded ?? JobStatus.Begin(status, job, child.Id, threads, logPath, slurmJobId: null);
        if (!ended) record = record.End(outcome, error);
        run.WriteStatus(job.Id, record.WithLastAttempt(a => a with { ExitCode = exitCode, Signal = signal }));

        var kind = outcome switch
        {
            AttemptOutcome.Done => JobOutcomeKind.Ran,
            AttemptOutcome.Cancelled => JobOutcomeKind.Cancelled,
            _ => JobOutcomeKind.Failed,
        };
        return new JobOutcome(job.Id, kind, clock.Elapsed, error, logPath) { Crashed = outcome == AttemptOutcome.Crashed };
    }

    /// <summary>Waits for the child; on cancellation closes its stdin and kills it if it has not ended within the grace. True if it was stopped.</summary>
    private bool WaitOrStop(Process child, CancellationToken cancellation)
    {
        try
        {
            child.WaitForExitAsync(cancellation).GetAwaiter().GetResult();
            return false;
        }
        catch (OperationCanceledException)
        {
        }
        try
        {
            child.StandardInput.Close();
        }
        catch (IOException)
        {
            // It has already ended and closed its end of the pipe.
        }
        if (!child.WaitForExit(_stopGrace)) child.Kill(entireProcessTree: true);
        return true;
    }

    /// <summary>The dotnet host running this process when there is one (tests, `dotnet SelectBench.Cli.dll`), else dotnet on PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
}
