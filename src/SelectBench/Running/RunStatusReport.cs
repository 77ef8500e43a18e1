using System.Diagnostics;

namespace SelectBench.Running;

/// <summary>One line of `selectbench status`.</summary>
/// <param name="Attempts">Every attempt with the job's current key, oldest first; empty when it has none.</param>
public sealed record JobStatusRow(string Id, string Stage, string State, DateTimeOffset? StartedAt, TimeSpan? Duration, string? Error, string? LogPath,
    IReadOnlyList<JobAttempt> Attempts)
{
    /// <summary>
    /// The state, and for a job tried more than once how its earlier attempts ended:
    /// "done (2 attempts: 1 crashed with SIGSEGV)". The last attempt's end is the state itself.
    /// </summary>
    public string StateWithAttempts
    {
        get
        {
            if (Attempts.Count < 2) return State;
            var earlier = Attempts.Take(Attempts.Count - 1).GroupBy(a => a.Describe()).Select(g => $"{g.Count()} {g.Key}");
            return $"{State} ({Attempts.Count} attempts: {string.Join(", ", earlier)})";
        }
    }
}

/// <summary>
/// Reads the state of every job of a run folder. States: done; stale (finished, but with an older key:
/// the config or code changed, so it will rerun); running; interrupted (status says running but its
/// process on this host is gone: it was killed and will rerun); cancelled (stopped by Ctrl-C; will rerun);
/// failed; blocked (a dependency failed); pending.
/// </summary>
public static class RunStatusReport
{
    public static IReadOnlyList<JobStatusRow> Read(RunFolder run)
    {
        var plan = run.LoadPlan();
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        var rows = new List<JobStatusRow>();
        foreach (var job in plan.Jobs)
        {
            var status = run.ReadStatus(job.Id);
            var doneKey = run.DoneKey(job.Id);
            var state = doneKey == job.Key ? "done"
                : status is { State: JobState.Running } && status.Key == job.Key ? (IsAlive(status) ? "running" : "interrupted")
                : status is { State: JobState.Failed } && status.Key == job.Key
                    ? status.History[^1].Outcome == AttemptOutcome.Cancelled ? "cancelled" : "failed"
                : job.DependsOn.Any(d => states[d] is "failed" or "blocked") ? "blocked"
                : doneKey is not null ? "stale"
                : "pending";
            states[job.Id] = state;
            var current = status is not null && status.Key == job.Key;
            var duration = current
                ? status!.Duration ?? (state == "running" ? DateTimeOffset.UtcNow - status.StartedAt : null)
                : null;
            rows.Add(new JobStatusRow(job.Id, job.Stage, state, current ? status!.StartedAt : null, duration,
                current && state == "failed" ? status!.Error : null, current ? status!.LogPath : null, current ? status!.History : []));
        }
        return rows;
    }

    /// <summary>
    /// Whether the process that wrote a "running" status still runs. Only decidable on the same host; a
    /// pid reused by a process started later does not count.
    /// </summary>
    private static bool IsAlive(JobStatus status)
    {
        if (!string.Equals(status.Host, Environment.MachineName, StringComparison.Ordinal)) return true;
        try
        {
            using var process = Process.GetProcessById(status.Pid);
            return !process.HasExited && process.StartTime.ToUniversalTime() <= status.StartedAt.UtcDateTime.AddSeconds(1);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
