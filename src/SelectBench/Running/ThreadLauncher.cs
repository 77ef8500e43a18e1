using SelectBench.Common;

namespace SelectBench.Running;

/// <summary>
/// Runs each attempt in the calling thread (the local executor gives every running job a thread of its own):
/// no process to start, so it suits tests and debugging (one process to attach a debugger to). The price: the
/// jobs share one process, so a native fault in one of them (a libtorch use-after-free, an abort) ends the
/// whole run, and process-wide settings such as libtorch's thread count are shared. <see cref="ChildProcessLauncher"/>
/// isolates the jobs instead.
/// </summary>
/// <param name="quietJobs">Silence the jobs' own progress bars (the caller shows one for the run).</param>
public sealed class ThreadLauncher(bool quietJobs = false) : IJobLauncher
{
    public JobOutcome Run(RunFolder run, PlannedJob job, int threads, CancellationToken cancellation)
    {
        // The run shows one bar for all jobs; each job's own bars would interleave with it (its log has the detail).
        if (quietJobs) ProgressBar.SilenceThisFlow();
        return new JobRunner(run).Run(job, threads, force: false, cancellation);
    }
}
