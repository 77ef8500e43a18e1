using SelectBench.Common;

namespace SelectBench.Running;

/// <param name="MaxParallel">Jobs run at once; 0 means one per core.</param>
/// <param name="TotalThreads">Threads shared among the parallel jobs; 0 means the core count.</param>
/// <param name="QuietJobs">Silence the jobs' own progress bars (the caller shows one for the run).</param>
public sealed record InProcessOptions(int MaxParallel = 0, int TotalThreads = 0, bool QuietJobs = false)
{
    public int ResolvedParallel => MaxParallel > 0 ? MaxParallel : Environment.ProcessorCount;

    /// <summary>
    /// Each job gets an equal share of the threads, fixed for the whole run (not grown when fewer jobs are
    /// ready), so a job's numerics never depend on what else happened to be running.
    /// </summary>
    public int ThreadsPerJob => Math.Max(1, AllThreads / ResolvedParallel);

    /// <summary>The threads of an exclusive job (<see cref="JobSpec.Exclusive"/>): all of them.</summary>
    public int AllThreads => TotalThreads > 0 ? TotalThreads : Environment.ProcessorCount;
}

/// <summary>
/// Runs the plan's jobs in this process, in topological order, up to <see cref="InProcessOptions.MaxParallel"/>
/// at a time. A failed job blocks its dependants; independent jobs go on, and every failure is reported
/// at the end. On cancellation (Ctrl-C) no new job starts; running jobs see the token.
/// </summary>
/// <param name="onFinished">Called with every job that ran, failed or was cancelled, as it ends (not for skipped jobs).</param>
public sealed class InProcessExecutor(JobKinds kinds, InProcessOptions? options = null, Action<string>? progress = null,
    Action<JobOutcome>? onFinished = null) : IJobExecutor
{
    private readonly InProcessOptions _options = options ?? new InProcessOptions();

    public RunSummary Run(RunFolder run, JobPlan plan, ForceSelector force, CancellationToken cancellation)
    {
        foreach (var job in plan.Jobs) kinds.Get(job.Kind); // unknown kinds fail before anything runs
        run.SavePlan(plan);
        foreach (var id in force.Expand(plan)) run.Invalidate(id);

        var runner = new JobRunner(run, kinds);
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
                    var task = Task.Factory.StartNew(() => RunOne(runner, run, job, jobThreads, cancellation),
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
                                 + (outcome.Error is null ? "" : $": {JobOutcome.FirstLine(outcome.Error)} (log: {outcome.LogPath})"));
        }
        foreach (var job in pending)
            outcomes[job.Id] = new JobOutcome(job.Id, JobOutcomeKind.Cancelled, Error: "not started: the run was cancelled");
        return new RunSummary(plan.Jobs.Select(j => outcomes[j.Id]).ToList());
    }

    /// <summary>A job whose bookkeeping fails (disk full, permissions) fails alone; the run goes on.</summary>
    private JobOutcome RunOne(JobRunner runner, RunFolder run, PlannedJob job, int threads, CancellationToken cancellation)
    {
        try
        {
            // The run shows one bar for all jobs; each job's own bars would interleave with it (its log has the detail).
            if (_options.QuietJobs) ProgressBar.SilenceThisFlow();
            return runner.Run(job, threads, force: false, cancellation);
        }
        catch (Exception e)
        {
            return new JobOutcome(job.Id, JobOutcomeKind.Failed, Error: $"{e.GetType().Name}: {e.Message}", LogPath: run.LogPath(job.Id));
        }
    }

    private static bool IsSuccess(JobOutcome o) => o.Kind is JobOutcomeKind.Ran or JobOutcomeKind.Skipped;

    private static string Verb(JobOutcomeKind kind) => kind == JobOutcomeKind.Ran ? "done" : kind.ToString().ToLowerInvariant();
}
