using SelectBench.Common;

namespace SelectBench.Running;

/// <summary>What an executor reports while a run goes on, for a console or a log.</summary>
/// <param name="Progress">Lines about the run: notes, jobs that ended, retries, Slurm submissions; called from more than one thread.</param>
/// <param name="Finished">Every job that ran, failed or was cancelled, as it ends (not skipped jobs).</param>
public sealed record ExecutorEvents(Action<string>? Progress = null, Action<JobOutcome>? Finished = null);

/// <summary>
/// An executor registered by name (the config's executor.kind, `selectbench run --executor`), made from its settings
/// record like every extension point (<see cref="Registered"/>); it makes the <see cref="IJobExecutor"/> of one run.
/// </summary>
public interface IExecutorKind
{
    IJobExecutor Create(ExecutorEvents events);
}

/// <summary>The registry of executors (docs/running.md#executors).</summary>
public static class Executors
{
    public const string Local = "local";
    public const string LocalThreads = "local-threads";
    public const string Slurm = "slurm";

    public static Registry<IExecutorKind> Registry { get; } = new("executor", typeof(Executors).Assembly);

    /// <summary>The registered name of <paramref name="kind"/> (an old alias resolves); an unknown kind is an error naming <paramref name="where"/>.</summary>
    public static string Resolve(string kind, string where) =>
        Registry.Contains(kind) ? Registry.Get(kind).Name
        : throw new SelectBenchException($"{where}: '{kind}' is not an executor; use one of {string.Join(", ", Registry.Names)}." +
                                         (Suggest.Nearest(kind, Registry.Names) is { } near ? $" Did you mean '{near}'?" : ""));

    /// <summary>
    /// The executor <paramref name="kind"/> with the fields of <paramref name="section"/> (snake_case keys) that its
    /// settings record has, validated. A config's executor section holds the fields of every kind (partition and
    /// parallel side by side), so that `--executor slurm` switches a local config without an edit; each kind reads its own.
    /// </summary>
    public static IExecutorKind Create(string kind, IReadOnlyDictionary<string, object?> section, string where)
    {
        var entry = Registry.Get(Resolve(kind, where));
        var fields = entry.Settings is null ? [] : SettingNames(entry.Settings);
        var own = section.Where(p => fields.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return Registry.Create(entry.Name, own, where);
    }

    private static HashSet<string> SettingNames(Type record) =>
        record.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First().GetParameters()
            .Select(p => SettingsBinder.SnakeCase(p.Name!)).ToHashSet(StringComparer.Ordinal);
}

/// <param name="Parallel">Jobs at once; 0: one per usable core. A larger number is lowered to the usable cores.</param>
public sealed record LocalExecutorSettings(int Parallel = 0) : ISettings
{
    public void Validate(string where)
    {
        if (Parallel < 0) throw new SelectBenchException($"{where}.parallel: {Parallel} is not allowed; give 0 (one job per core) or a positive number.");
    }

    /// <summary>The scheduler's options on this machine (<see cref="LocalExecutorOptions.ForThisMachine"/>); a lowered request is reported as a note.</summary>
    internal LocalExecutorOptions Options(ExecutorEvents events)
    {
        var options = LocalExecutorOptions.ForThisMachine(Parallel, out var note);
        if (note is not null) events.Progress?.Invoke($"note:     {note}.");
        return options;
    }
}

/// <summary>The default executor: each job in a child process (<see cref="ChildProcessLauncher"/>).</summary>
[Registered(Executors.Local, Description = "each job in its own process on this machine, so a crash ends only that job, which is retried once",
    Settings = typeof(LocalExecutorSettings), Aliases = ["in-process"])]
public sealed class LocalExecutorKind(LocalExecutorSettings settings) : IExecutorKind
{
    public IJobExecutor Create(ExecutorEvents events) =>
        new LocalExecutor(new ChildProcessLauncher(), settings.Options(events), events.Progress, events.Finished);
}

/// <summary>Each job in a thread of this process (<see cref="ThreadLauncher"/>): no process starts, for debugging.</summary>
[Registered(Executors.LocalThreads, Description = "each job a thread of this process (no process starts, for debugging; a native crash ends the run)",
    Settings = typeof(LocalExecutorSettings))]
public sealed class LocalThreadsExecutorKind(LocalExecutorSettings settings) : IExecutorKind
{
    public IJobExecutor Create(ExecutorEvents events) =>
        new LocalExecutor(new ThreadLauncher(quietJobs: true), settings.Options(events), events.Progress, events.Finished);
}

/// <param name="Partition">sbatch --partition; null: the cluster's default.</param>
/// <param name="CpusPerTask">sbatch --cpus-per-task, also each job's thread count.</param>
/// <param name="TimeLimit">sbatch --time per task, e.g. "04:00:00".</param>
/// <param name="Gpus">GPUs per task (--gres=gpu:N); 0: none.</param>
/// <param name="Account">sbatch --account; null: the user's default.</param>
/// <param name="Memory">sbatch --mem per task, e.g. "8G"; null: the partition's default.</param>
/// <param name="Command">How a node starts selectbench; null: this repository's ./selectbench (<see cref="SlurmOptions.DefaultCommand"/>).</param>
public sealed record SlurmExecutorSettings(string? Partition = null, int CpusPerTask = 2, string? TimeLimit = "04:00:00", int Gpus = 0,
    string? Account = null, string? Memory = null, string? Command = null) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.Positive(where, "cpus_per_task", CpusPerTask);
        if (Gpus < 0) throw new SelectBenchException($"{where}.gpus: {Gpus} is not allowed; give 0 or a positive number.");
    }

    /// <summary>The sbatch options for the GPUs and the account.</summary>
    public IReadOnlyList<string> ExtraSbatchArgs()
    {
        var extra = new List<string>();
        if (Gpus > 0) extra.Add($"--gres=gpu:{Gpus}");
        if (Account is { } account) extra.Add($"--account={account}");
        return extra;
    }
}

/// <summary>Job arrays through sbatch, level by level (<see cref="SlurmExecutor"/>).</summary>
[Registered(Executors.Slurm, Description = "job arrays through sbatch on a Slurm cluster, one array per level of the job graph",
    Settings = typeof(SlurmExecutorSettings))]
public sealed class SlurmExecutorKind(SlurmExecutorSettings settings) : IExecutorKind
{
    public IJobExecutor Create(ExecutorEvents events) =>
        new SlurmExecutor(new SlurmOptions(settings.Partition, settings.TimeLimit, settings.CpusPerTask, settings.Memory,
            ExtraSbatchArgs: settings.ExtraSbatchArgs(), Command: settings.Command), events.Progress, events.Finished);
}
