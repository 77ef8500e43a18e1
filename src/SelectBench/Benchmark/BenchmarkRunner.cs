using SelectBench.Common;
using SelectBench.Reporting;
using SelectBench.Running;

namespace SelectBench.Benchmark;

/// <summary>How <see cref="BenchmarkRunner.Run"/> runs a config; every field is optional.</summary>
/// <param name="Executor">A registered executor (<see cref="Executors"/>); null: the config's executor.kind.</param>
/// <param name="Parallel">Local executors: jobs at once (0: one per core); null: the config's executor.parallel.</param>
/// <param name="SlurmCommand">Slurm: how a node starts selectbench; null: this repository's ./selectbench.</param>
/// <param name="Force">Jobs to rerun with their dependants: stage names, id patterns ('train/*/seed1') or 'all' (<see cref="ForceSelector"/>).</param>
/// <param name="DryRun">Write and list the plan without running it.</param>
/// <param name="ConfigText">The config as written (a file's text or a profile's), saved as &lt;run&gt;/config.yaml; null: not saved.</param>
/// <param name="Log">Lines for the user: the run and its plan (and, on a dry run, every job).</param>
/// <param name="Progress">Lines about the run as it goes: notes, failures, retries, Slurm submissions; from more than one thread.</param>
public sealed record BenchmarkRunOptions(
    string? Executor = null,
    int? Parallel = null,
    string? SlurmCommand = null,
    IReadOnlyList<string>? Force = null,
    bool DryRun = false,
    string? ConfigText = null,
    Action<string>? Log = null,
    Action<string>? Progress = null);

/// <summary>What a run did.</summary>
/// <param name="Executor">The executor's registered name.</param>
/// <param name="Summary">What became of every job; null on a dry run.</param>
/// <param name="Results">The published results (results.json); null on a dry run or when a job did not finish.</param>
public sealed record BenchmarkRunResult(RunFolder Run, JobPlan Plan, string Executor, RunSummary? Summary, BenchmarkResults? Results)
{
    public bool Succeeded => Summary is null || Summary.Succeeded;
}

/// <summary>
/// `selectbench run` as a library call: plans a config's job graph (<see cref="BenchmarkPlan"/>), runs it in a run folder
/// with the chosen executor, and publishes the report job's leaderboard, results and report at the top of the folder
/// (docs/running.md, docs/benchmark.md). Rerunning with the same folder skips finished jobs.
/// </summary>
public static class BenchmarkRunner
{
    public static BenchmarkRunResult Run(RunConfig config, string folder, BenchmarkRunOptions options, CancellationToken cancellation)
    {
        var log = options.Log ?? (_ => { });
        var executorKind = options.Executor is { } kind ? Executors.Resolve(kind, "executor") : config.Executor.Kind;
        var run = new RunFolder(folder);
        using var runLock = RunLock.Acquire(run);
        if (options.ConfigText is { } text) AtomicFile.WriteAllText(Path.Combine(run.Root, "config.yaml"), text);
        var plan = BenchmarkPlan.Build(config);
        log($"run:      {config.Name} (config {config.Hash}{(config.Profile is null ? "" : $", profile {config.Profile}")}) -> {run.Root}");
        log($"plan:     {plan.Jobs.Count} jobs in {plan.Jobs.Select(j => j.Stage).Distinct().Count()} stages " +
            $"({string.Join(", ", plan.Jobs.GroupBy(j => j.Stage).Select(g => $"{g.Key} {g.Count()}"))}); executor {executorKind}");
        if (options.DryRun)
        {
            run.SavePlan(plan);
            foreach (var job in plan.Jobs)
                log($"  {job.Id,-40} {(run.IsDone(job) ? "done" : "to run")}  needs {string.Join(", ", job.DependsOn)}");
            return new BenchmarkRunResult(run, plan, executorKind, null, null);
        }

        var force = new ForceSelector(options.Force ?? []);
        var forced = force.Expand(plan);
        var toRun = plan.Jobs.Where(j => forced.Contains(j.Id) || !run.IsDone(j)).ToList();
        RunSummary summary;
        using (var bar = new ProgressBar("run", Math.Max(1, (long)Math.Round(toRun.Sum(BenchmarkPlan.EstimatedSeconds)))))
        {
            var weights = plan.Jobs.ToDictionary(j => j.Id, BenchmarkPlan.EstimatedSeconds);
            // The bar advances by each finished job's expected cost, so its ETA weighs a training job above a curation job.
            void Finished(JobOutcome outcome) => bar.Advance((long)Math.Round(weights[outcome.Id]),
                $"{(outcome.Kind == JobOutcomeKind.Ran ? "done" : outcome.Kind.ToString().ToLowerInvariant())} {outcome.Id} ({outcome.Duration.TotalSeconds:F1} s)");
            // Failures and executor events (Slurm submissions) are reported as lines; finished jobs only move the bar.
            void Progress(string line)
            {
                if (!line.Contains(" done ", StringComparison.Ordinal)) options.Progress?.Invoke(line);
            }
            var executor = Executors.Create(executorKind, ExecutorSection(config.Executor, options), "executor")
                .Create(new ExecutorEvents(Progress, Finished));
            summary = executor.Run(run, plan, force, cancellation);
        }
        var results = summary.Succeeded ? Publish(run) : null;
        return new BenchmarkRunResult(run, plan, executorKind, summary, results);
    }

    /// <summary>Copies the report job's files to the top of the run folder (each file atomically) and reads the results.</summary>
    public static BenchmarkResults Publish(RunFolder run)
    {
        var source = run.JobFolder(BenchmarkPlan.ReportJob);
        foreach (var file in ReportJobKind.PublishedFiles)
            AtomicFile.WriteAllBytes(Path.Combine(run.Root, file), File.ReadAllBytes(Path.Combine(source, file)));
        var html = Path.Combine(source, ReportJobKind.ReportFolder, "index.html");
        Directory.CreateDirectory(Path.Combine(run.Root, ReportJobKind.ReportFolder));
        AtomicFile.WriteAllBytes(Path.Combine(run.Root, ReportJobKind.ReportFolder, "index.html"), File.ReadAllBytes(html));
        return Json.Read<BenchmarkResults>(Path.Combine(run.Root, ReportJobKind.ResultsFile));
    }

    /// <summary>The config's executor section as snake_case fields, with the run's overrides.</summary>
    internal static Dictionary<string, object?> ExecutorSection(RunExecutorSettings executor, BenchmarkRunOptions options)
    {
        var section = SettingsBinder.ParseJson(System.Text.Json.JsonSerializer.Serialize(executor, Json.Options), "executor")
            .Where(p => p.Key != "kind").ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (options.Parallel is { } parallel) section["parallel"] = parallel.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (options.SlurmCommand is { } command) section["command"] = command;
        return section;
    }
}
