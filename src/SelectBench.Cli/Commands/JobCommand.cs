using System.ComponentModel;
using SelectBench.Running;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>
/// Runs one job of a run folder's plan, through the same code path as every executor. This is what each
/// Slurm array task runs on its node, and what the local executor starts for each job (with --supervised).
/// Exit codes (<see cref="JobExitCode"/>, docs/running.md), which the local executor reads to decide on a retry:
/// <list type="bullet">
/// <item>0: the job ran, or was already done with its key.</item>
/// <item>1: the job crashed with an unexpected exception (a bug, libtorch's ExternalException): retried once.</item>
/// <item>2: a SelectBenchException: bad settings or input, training diverged, or a bad command line or run folder. Not retried.</item>
/// <item>130: cancelled (Ctrl-C, SIGTERM, or with --supervised its stdin closed).</item>
/// <item>128 + n: the process died from signal n, as the OS reports it (134 SIGABRT, 137 SIGKILL, 139 SIGSEGV): retried once.</item>
/// </list>
/// </summary>
[CliCommand("job", "Run one job of a run folder (what each Slurm task and each local job process runs)",
    Examples = ["job runs/quick train/expert/seed1"])]
public sealed class JobCommand : Command<JobCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<run-folder>")]
        [Description("Run folder holding plan.json")]
        public string RunFolder { get; init; } = "";

        [CommandArgument(1, "<job-id>")]
        [Description("Id of the job in plan.json, e.g. train/expert/seed1")]
        public string JobId { get; init; } = "";

        [CommandOption("--threads <N>")]
        [Description("Threads for the job (default: $SLURM_CPUS_PER_TASK, else the core count)")]
        public int? Threads { get; init; }

        [CommandOption("--force")]
        [Description("Run the job even if it is already done with the same key")]
        public bool Force { get; init; }

        [CommandOption("--supervised")]
        [Description("Run as a child of `selectbench run`: write the job's log to stdout (the parent appends it and this " +
                     "process's stderr to job.log), and stop the job when stdin closes (the run was cancelled or ended)")]
        public bool Supervised { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var shutdown = new ShutdownSignal(Console.Error.WriteLine);
        // Not disposed: the stdin watcher may cancel it while this method returns.
        var parentGone = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token, cancellationToken, parentGone.Token);
        if (settings.Supervised) StopWhenStdinCloses(parentGone);
        var (job, outcome) = new JobRunner(new RunFolder(settings.RunFolder))
            .RunFromPlan(settings.JobId, settings.Threads, settings.Force, linked.Token, log: settings.Supervised ? Console.Out : null);
        switch (outcome.Kind)
        {
            case JobOutcomeKind.Skipped:
                Console.WriteLine($"{job.Id}: already done (key {job.Key}).");
                break;
            case JobOutcomeKind.Ran:
                Console.WriteLine($"{job.Id}: done in {outcome.Duration.TotalSeconds:F1} s.");
                break;
            default:
                Console.Error.WriteLine($"{job.Id}: {outcome.Error} (log: {outcome.LogPath})");
                break;
        }
        return JobExitCode.Of(outcome);
    }

    /// <summary>
    /// The parent run holds this process's stdin open and never writes to it: end of input means the run was
    /// cancelled, or died (the OS closes the pipe even on SIGKILL). The job is cancelled like on Ctrl-C; if it has
    /// not stopped within the grace (stuck in native code), the process ends, so no job outlives its run.
    /// </summary>
    private static void StopWhenStdinCloses(CancellationTokenSource parentGone)
    {
        var watcher = new Thread(() =>
        {
            using (var stdin = Console.OpenStandardInput())
            {
                var buffer = new byte[64];
                try
                {
                    while (stdin.Read(buffer) > 0) { }
                }
                catch (IOException)
                {
                    // A broken pipe is an end of input too.
                }
            }
            Console.Error.WriteLine("selectbench: stdin closed (the run was cancelled or has ended); stopping the job.");
            parentGone.Cancel();
            Thread.Sleep(ChildProcessLauncher.DefaultStopGrace);
            Console.Error.WriteLine($"selectbench: the job did not stop within {ChildProcessLauncher.DefaultStopGrace.TotalSeconds:0} s; ending the process.");
            Environment.Exit(JobExitCode.Cancelled);
        })
        { IsBackground = true, Name = "selectbench stdin watch" };
        watcher.Start();
    }
}
