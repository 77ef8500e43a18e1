using System.Diagnostics;
using SelectBench.Common;

namespace SelectBench.Running;

/// <summary>How one job ended in one invocation.</summary>
public enum JobOutcomeKind { Ran, Skipped, Failed, Blocked, Cancelled }

public sealed record JobOutcome(string Id, JobOutcomeKind Kind, TimeSpan Duration = default, string? Error = null, string? LogPath = null)
{
    /// <summary>
    /// The failure was an unexpected exception or the death of the job's process (a native fault, a kill), not a
    /// <see cref="SelectBenchException"/>: another attempt may pass, so the local executor retries it once.
    /// </summary>
    public bool Crashed { get; init; }

    /// <summary>The first line of the failure the executor retried this job after, or null if it ran once.</summary>
    public string? RetriedAfter { get; init; }

    public static string FirstLine(string? text) =>
        text is null ? "" : text.Split('\n', 2)[0].TrimEnd('\r');
}

/// <summary>
/// Runs a single job: the one code path shared by the local executors (in a thread, or in a child process
/// through `selectbench job`) and `selectbench job` on a Slurm node. Skips it if its done marker matches its
/// key; otherwise records the attempt in status.json, runs the kind with its output going to a staging
/// folder, and commits atomically.
/// </summary>
public sealed class JobRunner(RunFolder run)
{
    /// <param name="log">Where the job's log goes; null: appended to jobs/&lt;id&gt;/job.log. A child process of the
    /// local executor writes it to stdout, and its parent appends that to job.log together with the child's stderr.</param>
    public JobOutcome Run(PlannedJob job, int threads, bool force, CancellationToken cancellation, string? slurmJobId = null,
        TextWriter? log = null)
    {
        if (!force && run.IsDone(job)) return new JobOutcome(job.Id, JobOutcomeKind.Skipped);
        JobKinds.Get(job.Kind); // an unknown kind is the caller's mistake, not a failed attempt
        var clock = Stopwatch.StartNew();
        var (staging, work) = run.PrepareAttempt(job);
        var logPath = run.LogPath(job.Id);
        var started = JobStatus.Begin(run.ReadStatus(job.Id), job, Environment.ProcessId, threads, logPath, slurmJobId);
        run.WriteStatus(job.Id, started);

        using var logFile = log is null
            ? new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true }
            : null;
        log = TextWriter.Synchronized(log ?? logFile!);
        log.WriteLine($"=== {started.StartedAt:O} attempt {started.Attempt} of '{job.Id}' (kind {job.Kind}, key {job.Key}) on {started.Host} pid {started.Pid}, {threads} thread(s)");
        try
        {
            cancellation.ThrowIfCancellationRequested();
            // Bad settings fail the attempt like any other SelectBenchException of the job.
            JobKinds.Create(job).Run(new JobContext(run, job, staging, work, threads, log, cancellation));
            run.Commit(job);
        }
        catch (Exception e)
        {
            var outcome = e is OperationCanceledException && cancellation.IsCancellationRequested ? AttemptOutcome.Cancelled
                : e is SelectBenchException ? AttemptOutcome.Failed
                : AttemptOutcome.Crashed;
            var message = outcome == AttemptOutcome.Cancelled ? "cancelled before it finished" : Describe(e);
            log.WriteLine(outcome == AttemptOutcome.Cancelled ? "=== cancelled" : $"=== {outcome.ToString().ToLowerInvariant()}: {e}");
            run.WriteStatus(job.Id, started.End(outcome, message));
            var ended = outcome == AttemptOutcome.Cancelled ? JobOutcomeKind.Cancelled : JobOutcomeKind.Failed;
            return new JobOutcome(job.Id, ended, clock.Elapsed, message, logPath) { Crashed = outcome == AttemptOutcome.Crashed };
        }
        log.WriteLine($"=== {DateTimeOffset.UtcNow:O} done in {clock.Elapsed.TotalSeconds:F1} s");
        run.WriteStatus(job.Id, started.End(AttemptOutcome.Done, null));
        return new JobOutcome(job.Id, JobOutcomeKind.Ran, clock.Elapsed, null, logPath);
    }

    /// <summary>
    /// Runs the job <paramref name="jobId"/> of the run folder's saved plan: what `selectbench job` runs on a Slurm node
    /// and in each of the local executor's job processes. Its dependencies must be done. It gets
    /// <paramref name="threads"/>, else the task's Slurm CPUs, else the cores this process may use; a Slurm task records
    /// its id in status.json.
    /// </summary>
    public (PlannedJob Job, JobOutcome Outcome) RunFromPlan(string jobId, int? threads, bool force, CancellationToken cancellation,
        TextWriter? log = null)
    {
        var plan = run.LoadPlan();
        var job = plan[jobId];
        var notDone = job.DependsOn.Where(d => !run.IsDone(plan[d])).ToList();
        if (notDone.Count > 0)
            throw new SelectBenchException(
                $"job '{job.Id}' cannot run yet: its dependencies {string.Join(", ", notDone.Select(d => $"'{d}'"))} are not done.");
        var resolved = threads ?? SlurmEnvironment.CpusPerTask ?? Engine.MachineInfo.Current.UsableCores;
        if (resolved < 1) throw new SelectBenchException($"--threads must be at least 1, got {resolved}.");
        return (job, Run(job, resolved, force, cancellation, SlurmEnvironment.TaskId, log));
    }

    private static string Describe(Exception e) =>
        e is SelectBenchException ? e.Message : $"{e.GetType().Name}: {e.Message}";
}
