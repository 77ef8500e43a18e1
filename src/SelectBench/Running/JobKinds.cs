using System.Text.Json;
using SelectBench.Common;

namespace SelectBench.Running;

/// <summary>
/// What a job does. One class per kind, registered by name with the record of its settings
/// (<c>[Registered("train", Settings = typeof(TrainJobSettings))]</c>, docs/running.md): the runner makes one
/// instance per job from the job's settings in plan.json and calls <see cref="Run"/>, which reads its dependencies
/// from the context, writes its artefacts into <see cref="JobContext.OutputDir"/> and calls
/// <see cref="JobContext.WriteResult"/>; it throws to fail.
/// </summary>
public interface IJobKind
{
    void Run(JobContext context);
}

/// <summary>The registry of job kinds by name (like timm's model registry), and how a planned job becomes an instance.</summary>
public static class JobKinds
{
    /// <summary>Every job kind of the SelectBench library; a plug-in or a test assembly adds its own with <see cref="Registry{T}.AddFrom"/>.</summary>
    public static Registry<IJobKind> Registry { get; } = new("job kind", typeof(JobKinds).Assembly);

    /// <summary>The entry of a kind; an unknown kind is an error that lists the known ones.</summary>
    public static RegistryEntry Get(string kind)
    {
        if (Registry.Contains(kind)) return Registry.Get(kind);
        var names = Registry.Names;
        var hint = Suggest.Nearest(kind, names) is { } near ? $" Did you mean '{near}'?" : "";
        throw new SelectBenchException($"unknown job kind '{kind}'. Known kinds: {string.Join(", ", names)}.{hint}");
    }

    /// <summary>
    /// The job's settings as its kind's record (snake_case JSON, as everywhere in SelectBench), validated; null for a
    /// kind without settings. An error names the job.
    /// </summary>
    public static ISettings? Settings(PlannedJob job)
    {
        var entry = Get(job.Kind);
        if (entry.Settings is null) return null;
        var where = Where(job);
        ISettings settings;
        try
        {
            settings = (ISettings?)job.Settings.Deserialize(entry.Settings, Json.Options)
                       ?? throw new SelectBenchException($"{where}: settings are null.");
        }
        catch (JsonException e)
        {
            throw new SelectBenchException($"{where}: settings do not fit {entry.Settings.Name} ({e.Message}).", e);
        }
        settings.Validate(where);
        return settings;
    }

    /// <summary>The kind's instance for one job, made from the job's settings (<see cref="Settings"/>).</summary>
    public static IJobKind Create(PlannedJob job) => Registry.Create(job.Kind, Settings(job), Where(job));

    private static string Where(PlannedJob job) => $"job '{job.Id}'";
}
