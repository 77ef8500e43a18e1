using SelectBench.Common;
using SelectBench.Engine;

namespace SelectBench.Running;

/// <param name="MaxParallel">Jobs run at once; 0 means one per usable core.</param>
/// <param name="TotalThreads">Threads shared among the parallel jobs; 0 means the cores this process may use.</param>
public sealed record LocalExecutorOptions(int MaxParallel = 0, int TotalThreads = 0)
{
    public int ResolvedParallel => MaxParallel > 0 ? MaxParallel : AllThreads;

    /// <summary>
    /// Options for a run on this machine: at most one job per usable core (affinity mask and cgroup quota,
    /// <see cref="MachineInfo.UsableCores"/>), so that jobs times threads per job never exceed the cores. A larger
    /// request is lowered, and <paramref name="note"/> says so.
    /// </summary>
    public static LocalExecutorOptions ForThisMachine(int requestedParallel, out string? note)
    {
        int cores = MachineInfo.Current.UsableCores;
        note = requestedParallel > cores
            ? $"{requestedParallel} parallel jobs requested, but this process may use {cores} core(s) ({MachineInfo.Current.Summary}); running {cores} at a time so that threads never outnumber cores"
            : null;
        return new LocalExecutorOptions(Math.Min(requestedParallel, cores), cores);
    }

    /// <summary>
    /// Each job gets an equal share of the threads, fixed for the whole run (not grown when fewer jobs are
    /// ready), so a job's numerics never depend on what else happened to be running.
    /// </summary>
    public int ThreadsPerJob => Math.Max(1, AllThreads / ResolvedParallel);

    /// <summary>The threads of an exclusive job (<see cref="JobSpec.Exclusive"/>): all of them.</summary>
    public int AllThreads => TotalThreads > 0 ? TotalThreads : MachineInfo.Current.UsableCores;
}

/// <summary>
/// How the local executor runs one attempt of one job: in a thread of this process (<see cref="ThreadLauncher"/>)
/// or in a child process of its own (<see cref="ChildProcessLauncher"/>).
/// </summary>
public interface IJobLauncher
{
    /// <summary>
    /// Runs one attempt. The job's own failure is an outcome, not an exception: Failed, with
    /// <see cref="JobOutcome.Crashed"/> set when another attempt may pass.
    /// </summary>
    JobOutcome Run(RunFolder run, PlannedJob job, int threads, CancellationToken cancellation);
}

/// <summary>
/// Runs the plan's jobs on this machine, in topological order, up to <see cref="LocalExecutorOptions.MaxParallel"/>
/// at a time, each through the <see cref="IJobLauncher"/> (a thread, or a child process). A job that crashed
/// (<see cref="JobOutcome.Crashed"/>) is retried once; a failed job blocks its dependants; independent jobs go on,
/// and every failure is reported at the end. On cancellation (Ctrl-C) no new job starts; running jobs are
/// cancelled through the launcher.
/// </summary>
/// <param name="progress">Lines about the run (jobs that ended, retries); called from more than one thread.</param>
/// <param name="onFinished">Called with every job that ran, failed or was cancelled, as it ends (not for skipped jobs).</param>
public sealed class LocalExecutor(IJobLauncher launcher, LocalExecutorOptions? options = null,
    Action<string>? progress = null, Action<JobOutcome>? onFinished = null) : IJobExecutor
{
    private readonly LocalExecutorOptions _options = options ?? new LocalExecutorOptions();

    public RunSummary Run(RunFolder run, JobPlan plan, ForceSelector force, CancellationToken cancellation)
    {
        foreach (var job in plan.Jobs) JobKinds.Get(job.Kind); // unknown kinds fail before anything runs
        var forced = force.Expand(plan);
        RefuseMixedThreads(run, plan, forced);
        run.SavePlan(plan);
        foreach (var id in forced) run.Invalidate(id);

        var outcomes = new Dictionary<string, JobOutcome>(StringComparer.Ordinal);
        var pending = plan.Jobs.ToList();
        var running = new Dictionary<Task<JobOutcome>, PlannedJob>();
        var threads = _options.ThreadsPerJob;
        var finished = 0;

        while (true)
        {
            foreach (var job in pending.ToList())
            {
                var blocker = job.DependsOn.FirstOrDefault(d => outcomes.TryGetValue(d, out var o) && !IsSuccess(o));
                if (blocker is null) continue;
                var cause = outcomes[blocker];
                outcomes[job.Id] = cause.Kind switch
                {
                    JobOutcomeKind.Cancelled => new JobOutcome(job.Id, JobOutcomeKind.Cancelled, Error: "not started: the run was cancelled"),
                    JobOutcomeKind.Blocked => new JobOutcome(job.Id, JobOutcomeKind.Blocked, Error: cause.Error),
                    _ => new JobOutcome(job.Id, JobOutcomeKind.Blocked, Error: $"depends on '{blocker}', which failed"),
                };
                pending.Remove(job);
            }
            if (!cancellation.IsCancellationRequested)
            {
                foreach (var job in pending.ToList())
                {
                    if (running.Count >= _options.ResolvedParallel || running.Values.Any(r => r.Exclusive)) break;
                    if (!job.DependsOn.All(d => outcomes.TryGetValue(d, out var o) && IsSuccess(o))) continue;
                    if (job.Exclusive && running.Count > 0) continue;
                    pending.Remove(job);
                    int jobThreads = job.Exclusive ? _options.AllThreads : threads;
                    var task = Task.Factory.StartNew(() => RunOne(run, job, jobThreads, cancellation),
                        CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                    running.Add(task, job);
                }
            }
            if (running.Count == 0) break;
            var done = running.Keys.ElementAt(Task.WaitAny([.. running.Keys]));
            running.Remove(done);
            var outcome = done.Result;
            outcomes[outcome.Id] = outcome;
            finished++;
            if (outcome.Kind != JobOutcomeKind.Skipped) onFinished?.Invoke(outcome);
            if (outcome.Kind != JobOutcomeKind.Skipped)
                progress?.Invoke($"[{finished}/{plan.Jobs.Count}] {Verb(outcome.Kind)} {outcome.Id} ({outcome.Duration.TotalSeconds:F1} s)"
                                 + (outcome.RetriedAfter is null ? "" : $" on its second attempt, after: {outcome.RetriedAfter}")
                                 + (outcome.Error is null ? "" : $": {JobOutcome.FirstLine(outcome.Error)} (log: {outcome.LogPath})"));
        }
        foreach (var job in pending)
            outcomes[job.Id] = new JobOutcome(job.Id, JobOutcomeKind.Cancelled, Error: "not started: the run was cancelled");
        return new RunSummary(plan.Jobs.Select(j => outcomes[j.Id]).ToList());
    }

    /// <summary>
    /// libtorch's reductions depend on the thread count, so a job's numbers do too: a run resumed with another
    /// --parallel would mix results of two thread counts in one leaderboard. Finished jobs record their count
    /// (status.json's threads); a resume that would give a job another count is refused unless --force reruns
    /// every such job (docs/running.md, "Refusals").
    /// </summary>
    private void RefuseMixedThreads(RunFolder run, JobPlan plan, IReadOnlySet<string> forced)
    {
        var mixed = plan.Jobs
            .Where(j => !forced.Contains(j.Id) && run.IsDone(j))
            .Select(j => (Job: j, Recorded: run.ReadStatus(j.Id)?.Threads, Now: j.Exclusive ? _options.AllThreads : _options.ThreadsPerJob))
            .Where(x => x.Recorded is { } recorded && recorded != x.Now)
            .ToList();
        if (mixed.Count == 0) return;
        var recordedCounts = string.Join(" or ", mixed.Select(x => x.Recorded!.Value).Distinct().Order());
        var first = mixed[0];
        throw new SelectBenchException(
            $"{mixed.Count} finished job(s) in {run.Root} ran with {recordedCounts} thread(s) per job (e.g. '{first.Job.Id}': {first.Recorded}), " +
            $"but this run would give them {first.Now}: libtorch's results depend on the thread count, so the leaderboard would mix both. " +
            $"Resume with the --parallel that gave {first.Recorded} thread(s) per job, or rerun those jobs with --force " +
            $"(e.g. --force {string.Join(" --force ", mixed.Select(x => x.Job.Stage).Distinct())}, or --force all).");
    }

    /// <summary>
    /// One job, retried once if it crashed: a native fault such as a use-after-free depends on timing and
    /// memory layout, so a second attempt (resuming from the job's checkpoints) usually passes; a fault that
    /// strikes twice is likely deterministic, and a third attempt would only spend the time again. A
    /// SelectBenchException (bad input, divergence) is not retried: it would fail the same way.
    /// A job whose bookkeeping fails (disk full, permissions) fails alone; the run goes on.
    /// </summary>
    private JobOutcome RunOne(RunFolder run, PlannedJob job, int threads, CancellationToken cancellation)
    {
        try
        {
            // Checked here so that a finished job costs no process start.
            if (run.IsDone(job)) return new JobOutcome(job.Id, JobOutcomeKind.Skipped);
            var first = launcher.Run(run, job, threads, cancellation);
            if (first is not { Kind: JobOutcomeKind.Failed, Crashed: true } || cancellation.IsCancellationRequested) return first;

            var reason = JobOutcome.FirstLine(first.Error);
            MarkLastAttemptRetried(run, job);
            progress?.Invoke($"retrying {job.Id}: its first attempt crashed: {reason} (log: {first.LogPath})");
            var second = launcher.Run(run, job, threads, cancellation);
            return second with { Duration = first.Duration + second.Duration, RetriedAfter = reason };
        }
        catch (Exception e)
        {
            return new JobOutcome(job.Id, JobOutcomeKind.Failed, Error: $"{e.GetType().Name}: {e.Message}", LogPath: run.LogPath(job.Id));
        }
    }

    private static void MarkLastAttemptRetried(RunFolder run, PlannedJob job)
    {
        if (run.ReadStatus(job.Id) is { } status && status.Key == job.Key)
            run.WriteStatus(job.Id, status.WithLastAttempt(a => a with { Retried = true }));
    }

    private static bool IsSuccess(JobOutcome o) => o.Kind is JobOutcomeKind.Ran or JobOutcomeKind.Skipped;

    private static string Verb(JobOutcomeKind kind) => kind == JobOutcomeKind.Ran ? "done" : kind.ToString().ToLowerInvariant();
}
