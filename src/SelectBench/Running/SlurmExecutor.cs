using System.Diagnostics;
using System.Globalization;
using System.Text;
using SelectBench.Common;

namespace SelectBench.Running;

/// <param name="Partition">sbatch --partition; null: the cluster's default.</param>
/// <param name="TimeLimit">sbatch --time per task, e.g. "02:00:00"; null: the partition's default.</param>
/// <param name="CpusPerTask">sbatch --cpus-per-task; also the job's thread count.</param>
/// <param name="Memory">sbatch --mem per task, e.g. "8G"; null: the partition's default.</param>
/// <param name="ExtraSbatchArgs">Passed to sbatch as they are (e.g. "--gres=gpu:1", "--account=x").</param>
/// <param name="Command">Shell words that start selectbench on a node; null: this repository's ./selectbench wrapper.</param>
/// <param name="MaxConcurrentTasks">Array throttle (--array=0-N%M); 0: no limit.</param>
/// <param name="PollSeconds">How often squeue is asked whether an array has finished.</param>
public sealed record SlurmOptions(
    string? Partition = null,
    string? TimeLimit = null,
    int CpusPerTask = 1,
    string? Memory = null,
    IReadOnlyList<string>? ExtraSbatchArgs = null,
    string? Command = null,
    int MaxConcurrentTasks = 0,
    double PollSeconds = 5)
{
    /// <summary>
    /// The absolute path of the ./selectbench wrapper of the repository this code was built from (found by
    /// walking up from the binaries), which rebuilds the CLI if sources changed. Run folders and the
    /// repository must be on a filesystem the nodes share.
    /// </summary>
    public static string DefaultCommand()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var wrapper = Path.Combine(dir.FullName, "selectbench");
            if (File.Exists(wrapper) && File.Exists(Path.Combine(dir.FullName, "SelectBench.sln"))) return wrapper;
        }
        throw new SelectBenchException(
            $"cannot find the ./selectbench wrapper above {AppContext.BaseDirectory}; set the Slurm command (e.g. --slurm-command \"/path/to/selectbench\").");
    }
}

/// <summary>
/// Runs a plan on a Slurm cluster. The plan is submitted level by level (level n holds the jobs whose
/// longest dependency chain has n jobs): one job array per level, each task running
/// `selectbench job &lt;run&gt; &lt;id&gt;` against the shared run folder, the array index mapping to a job id
/// through &lt;run&gt;/slurm/level-&lt;n&gt;.jobs. The executor waits for each array (squeue) and then reads the
/// run folder's done markers and status files, so a failed task blocks only its dependants, which are
/// left out of later arrays, and every failure is reported with its Slurm job id and log.
/// Submitting level by level (instead of all arrays at once with --dependency=afterok) costs one queue
/// wait per level but never leaves arrays waiting forever on a failed dependency (afterok on an array
/// waits for every task), and lets later levels skip jobs that are already done.
/// </summary>
/// <param name="onFinished">Called with every job of a level as its array ends (ran, failed or cancelled).</param>
public sealed class SlurmExecutor(SlurmOptions? options = null, Action<string>? progress = null,
    Action<JobOutcome>? onFinished = null) : IJobExecutor
{
    private readonly SlurmOptions _options = options ?? new SlurmOptions();

    public RunSummary Run(RunFolder run, JobPlan plan, ForceSelector force, CancellationToken cancellation)
    {
        foreach (var job in plan.Jobs) JobKinds.Get(job.Kind); // the nodes run this same code: fail early on a typo
        if (_options.CpusPerTask < 1) throw new SelectBenchException($"Slurm cpus per task must be at least 1, got {_options.CpusPerTask}.");
        var command = _options.Command ?? SlurmOptions.DefaultCommand();
        WarmUp(command);
        run.SavePlan(plan);
        foreach (var id in force.Expand(plan)) run.Invalidate(id);
        Directory.CreateDirectory(Path.Combine(run.SlurmRoot, "logs"));

        var outcomes = new Dictionary<string, JobOutcome>(StringComparer.Ordinal);
        var levels = plan.Levels();
        for (var level = 0; level < levels.Count; level++)
        {
            var toRun = new List<PlannedJob>();
            foreach (var job in levels[level])
            {
                var blocker = job.DependsOn.FirstOrDefault(d => outcomes[d].Kind is not (JobOutcomeKind.Ran or JobOutcomeKind.Skipped));
                if (blocker is not null)
                    outcomes[job.Id] = new JobOutcome(job.Id, JobOutcomeKind.Blocked, Error: outcomes[blocker].Kind == JobOutcomeKind.Blocked
                        ? outcomes[blocker].Error : $"depends on '{blocker}', which did not finish ({outcomes[blocker].Kind.ToString().ToLowerInvariant()})");
                else if (run.IsDone(job)) outcomes[job.Id] = new JobOutcome(job.Id, JobOutcomeKind.Skipped);
                else if (cancellation.IsCancellationRequested) outcomes[job.Id] = new JobOutcome(job.Id, JobOutcomeKind.Cancelled, Error: "not submitted: the run was cancelled");
                else toRun.Add(job);
            }
            if (toRun.Count == 0) continue;
            foreach (var outcome in RunLevel(run, level, toRun, command, cancellation)) outcomes[outcome.Id] = outcome;
        }
        return new RunSummary(plan.Jobs.Select(j => outcomes[j.Id]).ToList());
    }

    private IEnumerable<JobOutcome> RunLevel(RunFolder run, int level, IReadOnlyList<PlannedJob> jobs, string command, CancellationToken cancellation)
    {
        var jobsFile = Path.Combine(run.SlurmRoot, $"level-{level}.jobs");
        var script = Path.Combine(run.SlurmRoot, $"level-{level}.sbatch");
        AtomicFile.WriteAllText(jobsFile, string.Join('\n', jobs.Select(j => j.Id)) + "\n");
        AtomicFile.WriteAllText(script, BatchScript(run, level, jobs.Count, jobsFile, command));

        var submit = Shell.Run("sbatch", ["--parsable", .. _options.ExtraSbatchArgs ?? [], script]);
        if (submit.ExitCode != 0)
            throw new SelectBenchException($"sbatch failed for level {level} (exit {submit.ExitCode}): {submit.Error.Trim()} (script: {script})");
        var arrayId = submit.Output.Trim().Split(';')[0];
        if (!long.TryParse(arrayId, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new SelectBenchException($"sbatch printed '{submit.Output.Trim()}' instead of a job id (script: {script}).");
        progress?.Invoke($"level {level}: submitted {jobs.Count} job(s) as Slurm array {arrayId}");

        var cancelled = false;
        while (IsQueued(arrayId))
        {
            if (cancellation.IsCancellationRequested && !cancelled)
            {
                progress?.Invoke($"level {level}: cancelling Slurm array {arrayId}");
                Shell.Run("scancel", [arrayId]);
                cancelled = true;
            }
            cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(cancelled ? 1 : _options.PollSeconds));
        }

        for (var index = 0; index < jobs.Count; index++)
        {
            var job = jobs[index];
            var slurmLog = Path.Combine(run.SlurmRoot, "logs", $"level-{level}-{arrayId}_{index}.out");
            var status = run.ReadStatus(job.Id);
            var current = status is not null && status.Key == job.Key ? status : null;
            var duration = current?.Duration ?? TimeSpan.Zero;
            JobOutcome outcome;
            if (run.IsDone(job)) outcome = new JobOutcome(job.Id, JobOutcomeKind.Ran, duration, null, run.LogPath(job.Id));
            else if (cancelled) outcome = new JobOutcome(job.Id, JobOutcomeKind.Cancelled, duration, $"Slurm task {arrayId}_{index} was cancelled", slurmLog);
            else if (current is { State: JobState.Failed })
                outcome = new JobOutcome(job.Id, JobOutcomeKind.Failed, duration,
                    $"{current.Error} [Slurm task {arrayId}_{index}, Slurm log {slurmLog}]", current.LogPath);
            else
                outcome = new JobOutcome(job.Id, JobOutcomeKind.Failed, duration,
                    $"Slurm task {arrayId}_{index} ended without finishing the job (killed, out of time or memory, or it could not start; see the Slurm log)" +
                    (current is null ? "" : $" [job log {current.LogPath}]"), slurmLog);
            progress?.Invoke($"level {level}: {(outcome.Kind == JobOutcomeKind.Ran ? "done" : outcome.Kind.ToString().ToLowerInvariant())} {job.Id}"
                             + (outcome.Error is null ? "" : $": {JobOutcome.FirstLine(outcome.Error)}"));
            onFinished?.Invoke(outcome);
            yield return outcome;
        }
    }

    internal string BatchScript(RunFolder run, int level, int taskCount, string jobsFile, string command)
    {
        var o = _options;
        var text = new StringBuilder();
        text.Append("#!/bin/bash\n");
        text.Append($"#SBATCH --job-name=selectbench-level{level}\n");
        text.Append($"#SBATCH --array=0-{taskCount - 1}{(o.MaxConcurrentTasks > 0 ? $"%{o.MaxConcurrentTasks}" : "")}\n");
        text.Append($"#SBATCH --output={Path.Combine(run.SlurmRoot, "logs", $"level-{level}-%A_%a.out")}\n");
        text.Append($"#SBATCH --cpus-per-task={o.CpusPerTask}\n");
        if (o.Partition is not null) text.Append($"#SBATCH --partition={o.Partition}\n");
        if (o.TimeLimit is not null) text.Append($"#SBATCH --time={o.TimeLimit}\n");
        if (o.Memory is not null) text.Append($"#SBATCH --mem={o.Memory}\n");
        text.Append("set -euo pipefail\n");
        text.Append($"mapfile -t jobs < {Quote(jobsFile)}\n");
        text.Append("job=\"${jobs[$SLURM_ARRAY_TASK_ID]}\"\n");
        text.Append("echo \"selectbench: task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} runs job $job on $(hostname)\"\n");
        text.Append($"exec {command} job {Quote(run.Root)} \"$job\" --threads \"${{SLURM_CPUS_PER_TASK:-{o.CpusPerTask}}}\"\n");
        return text.ToString();
    }

    /// <summary>Runs the command once here so a stale ./selectbench wrapper builds before the tasks start
    /// (otherwise every task would try to build it at once on the shared filesystem).</summary>
    private static void WarmUp(string command)
    {
        var result = Shell.Run("bash", ["-c", $"{command} job --help"]);
        if (result.ExitCode != 0)
            throw new SelectBenchException($"the Slurm command '{command}' does not run here (exit {result.ExitCode}): {result.Error.Trim()}");
    }

    private static bool IsQueued(string arrayId)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = Shell.Run("squeue", ["-h", "-j", arrayId, "-o", "%i"]);
            if (result.ExitCode == 0) return result.Output.Trim().Length > 0;
            // Once purged from the controller, the array is unknown: it has finished.
            if (result.Error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return false;
            if (attempt >= 5) throw new SelectBenchException($"squeue failed for Slurm array {arrayId}: {result.Error.Trim()}");
            Thread.Sleep(TimeSpan.FromSeconds(attempt));
        }
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";
}

/// <summary>Runs an external program and captures its output.</summary>
internal static class Shell
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return new Result(process.ExitCode, output, error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SelectBenchException($"cannot run '{file}': {e.Message}. Is it installed and on PATH?", e);
        }
    }
}
