using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SelectBench.Common;

namespace SelectBench.Running;

/// <summary>
/// One unit of work in a run: what to do (<see cref="Kind"/>, a registered <see cref="IJobKind"/> name,
/// with its <see cref="Settings"/>) and which jobs' results it reads (<see cref="DependsOn"/>).
/// The id names the job in the run folder and on the command line ("train/expert/seed1").
/// </summary>
public sealed partial record JobSpec(string Id, string Stage, string Kind, JsonObject Settings, IReadOnlyList<string> DependsOn)
{
    public JobSpec(string id, string stage, string kind, JsonObject settings) : this(id, stage, kind, settings, []) { }

    /// <summary>
    /// Runs alone with every thread of the local executor (for a job nothing else can overlap, such as
    /// building the world). Fixed in the plan, so the job's thread count, and its numerics, never depend on timing.
    /// </summary>
    public bool Exclusive { get; init; }

    /// <summary>Ids are path-like words: letters, digits, '.', '_', '=', '-', separated by '/'.</summary>
    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._=-]*(/[A-Za-z0-9][A-Za-z0-9._=-]*)*$")]
    private static partial Regex IdPattern();

    /// <summary>The job's folder name: the id with '/' replaced by '+', which ids may not contain.</summary>
    public static string SafeId(string id) => id.Replace('/', '+');

    internal void Validate()
    {
        if (!IsValidId(Id))
            throw new SelectBenchException($"job id '{Id}': use letters, digits, '.', '_', '=', '-' and '/' between words.");
        if (string.IsNullOrWhiteSpace(Stage)) throw new SelectBenchException($"job '{Id}': the stage name is empty.");
        if (string.IsNullOrWhiteSpace(Kind)) throw new SelectBenchException($"job '{Id}': the job kind is empty.");
    }
}

/// <summary>A job of a plan with its resolved key (see <see cref="JobKey"/>).</summary>
public sealed record PlannedJob(string Id, string Stage, string Kind, JsonObject Settings, IReadOnlyList<string> DependsOn, string Key)
{
    /// <summary>See <see cref="JobSpec.Exclusive"/>.</summary>
    public bool Exclusive { get; init; }

    public string SafeId => JobSpec.SafeId(Id);
}
