using System.ComponentModel;
using SelectBench.Common;
using SelectBench.Running;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>
/// Runs one job of a run folder's plan, through the same code path as the in-process executor. This is
/// what each Slurm array task runs on its node.
/// </summary>
[CliCommand("job", "Run one job of a run folder (what each Slurm task runs)",
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
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var run = new RunFolder(settings.RunFolder);
        var plan = run.LoadPlan();
        var job = plan[settings.JobId];
        var notDone = job.DependsOn.Where(d => !run.IsDone(plan[d])).ToList();
        if (notDone.Count > 0)
            throw new SelectBenchException(
                $"job '{job.Id}' cannot run yet: its dependencies {string.Join(", ", notDone.Select(d => $"'{d}'"))} are not done.");

        var threads = settings.Threads ?? SlurmCpus() ?? Environment.ProcessorCount;
        if (threads < 1) throw new SelectBenchException($"--threads must be at least 1, got {threads}.");
        using var shutdown = new ShutdownSignal(Console.Error.WriteLine);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token, cancellationToken);
        var outcome = new JobRunner(run, JobKinds.Default()).Run(job, threads, settings.Force, linked.Token, SlurmTaskId());
        switch (outcome.Kind)
        {
            case JobOutcomeKind.Skipped:
                Console.WriteLine($"{job.Id}: already done (key {job.Key}).");
                return 0;
            case JobOutcomeKind.Ran:
                Console.WriteLine($"{job.Id}: done in {outcome.Duration.TotalSeconds:F1} s.");
                return 0;
            default:
                Console.Error.WriteLine($"{job.Id}: {outcome.Error} (log: {outcome.LogPath})");
                return 1;
        }
    }

    private static int? SlurmCpus() =>
        int.TryParse(Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK"), out var n) && n > 0 ? n : null;

    private static string? SlurmTaskId()
    {
        var array = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID");
        var task = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
        return array is not null && task is not null ? $"{array}_{task}" : Environment.GetEnvironmentVariable("SLURM_JOB_ID");
    }
}
