using System.Diagnostics;
using SelectBench.Common;

namespace SelectBench.Running;

/// <summary>How one job ended in one invocation.</summary>
public enum JobOutcomeKind { Ran, Skipped, Failed, Blocked, Cancelled }

public sealed record JobOutcome(string Id, JobOutcomeKind Kind, TimeSpan Duration = default, string? Error = null, string? LogPath = null)
{
    public static string FirstLine(string? text) =>
        text is null ? "" : text.Split('\n', 2)[0].TrimEnd('\r');
}

/// <summary>
/// Runs a single job: the one code path shared by the in-process executor and `selectbench job` on a
/// Slurm node. Skips it if its done marker matches its key; otherwise records the attempt in
/// status.json, runs the kind with its output going to a staging folder, and commits atomically.
/// </summary>
public sealed class JobRunner(RunFolder run, JobKinds kinds)
{
    public JobOutcome Run(PlannedJob job, int threads, bool force, CancellationToken cancellation, string? slurmJobId = null)
    {
        if (!force && run.IsDone(job)) return new JobOutcome(job.Id, JobOutcomeKind.Skipped);
        var kind = kinds.Get(job.Kind);
        var clock = Stopwatch.StartNew();
        var previous = run.ReadStatus(job.Id);
        var (staging, work) = run.PrepareAttempt(job);
        var logPath = run.LogPath(job.Id);
        var started = new JobStatus(JobState.Running, job.Key, (previous?.Attempt ?? 0) + 1, Environment.MachineName,
            Environment.ProcessId, DateTimeOffset.UtcNow, LogPath: logPath, Threads: threads, SlurmJobId: slurmJobId);
        run.WriteStatus(job.Id, started);

        using var logFile = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var log = TextWriter.Synchronized(logFile);
        log.WriteLine($"=== {started.StartedAt:O} attempt {started.Attempt} of '{job.Id}' (kind {job.Kind}, key {job.Key}) on {started.Host} pid {started.Pid}, {threads} thread(s)");
        try
        {
            cancellation.ThrowIfCancellationRequested();
            kind.Run(new JobContext(run, job, staging, work, threads, log, cancellation));
            run.Commit(job);
        }
        catch (Exception e)
        {
            var cancelled = e is OperationCanceledException && cancellation.IsCancellationRequested;
            var message = cancelled ? "cancelled before it finished" : Describe(e);
            log.WriteLine(cancelled ? "=== cancelled" : $"=== failed: {e}");
            run.WriteStatus(job.Id, started with { State = JobState.Failed, EndedAt = DateTimeOffset.UtcNow, Error = message });
            return new JobOutcome(job.Id, cancelled ? JobOutcomeKind.Cancelled : JobOutcomeKind.Failed, clock.Elapsed, message, logPath);
        }
        var ended = DateTimeOffset.UtcNow;
        log.WriteLine($"=== {ended:O} done in {clock.Elapsed.TotalSeconds:F1} s");
        run.WriteStatus(job.Id, started with { State = JobState.Done, EndedAt = ended });
        return new JobOutcome(job.Id, JobOutcomeKind.Ran, clock.Elapsed, null, logPath);
    }

    private static string Describe(Exception e) =>
        e is SelectBenchException ? e.Message : $"{e.GetType().Name}: {e.Message}";
}
