using System.Text.RegularExpressions;

namespace SelectBench.Running;

/// <summary>
/// Which jobs `--force` reruns: "all" (or "*"), a stage name, or an id pattern where '*' matches any
/// characters ("train/*/seed1"). The dependants of a forced job are rerun too, since they read its result.
/// </summary>
public sealed class ForceSelector
{
    private readonly string[] _patterns;

    public ForceSelector(IEnumerable<string> patterns) => _patterns = patterns.Where(p => p.Length > 0).ToArray();

    public static ForceSelector None { get; } = new([]);
    public static ForceSelector All { get; } = new(["all"]);

    public bool IsEmpty => _patterns.Length == 0;

    public bool Selects(PlannedJob job) => _patterns.Any(p =>
        p is "all" or "*" || p == job.Stage || Regex.IsMatch(job.Id, "^" + Regex.Escape(p).Replace(@"\*", ".*") + "$"));

    /// <summary>The selected jobs and everything downstream of them.</summary>
    public IReadOnlySet<string> Expand(JobPlan plan)
    {
        var forced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in plan.Jobs) // topological order
            if (Selects(job) || job.DependsOn.Any(forced.Contains))
                forced.Add(job.Id);
        return forced;
    }
}
