using System.Text.Json.Nodes;
using SelectBench.Common;

namespace SelectBench.Running;

/// <summary>
/// The job graph of a run with every job's key resolved, in topological order (each job after its
/// dependencies). Saved as &lt;run&gt;/plan.json so that `selectbench job` on another node runs exactly the
/// same job.
/// </summary>
public sealed class JobPlan
{
    public string CodeVersion { get; }
    public IReadOnlyList<PlannedJob> Jobs { get; }
    private readonly Dictionary<string, PlannedJob> _byId;

    private JobPlan(string codeVersion, IReadOnlyList<PlannedJob> jobs)
    {
        CodeVersion = codeVersion;
        Jobs = jobs;
        _byId = jobs.ToDictionary(j => j.Id, StringComparer.Ordinal);
    }

    public PlannedJob this[string id] =>
        _byId.TryGetValue(id, out var job)
            ? job
            : throw new SelectBenchException($"job '{id}' is not in the plan. Run `selectbench status <run-folder>` to list the jobs.");

    public bool Contains(string id) => _byId.ContainsKey(id);

    /// <summary>
    /// Checks the graph (unique ids, known dependencies, no cycles), orders it topologically (stable: the
    /// given order among jobs that are ready together) and computes the keys.
    /// </summary>
    public static JobPlan Build(IEnumerable<JobSpec> specs, string codeVersion)
    {
        var list = specs.ToList();
        var byId = new Dictionary<string, JobSpec>(StringComparer.Ordinal);
        foreach (var spec in list)
        {
            spec.Validate();
            if (!byId.TryAdd(spec.Id, spec)) throw new SelectBenchException($"job id '{spec.Id}' appears twice in the plan.");
            if (spec.Id.Contains('+')) throw new SelectBenchException($"job id '{spec.Id}' may not contain '+'.");
        }
        foreach (var spec in list)
            foreach (var dep in spec.DependsOn)
                if (!byId.ContainsKey(dep))
                    throw new SelectBenchException($"job '{spec.Id}' depends on '{dep}', which is not in the plan.");

        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var ordered = new List<PlannedJob>(list.Count);
        var remaining = list.ToList();
        while (remaining.Count > 0)
        {
            var ready = remaining.Where(s => s.DependsOn.All(keys.ContainsKey)).ToList();
            if (ready.Count == 0)
                throw new SelectBenchException(
                    $"the job graph has a cycle among: {string.Join(", ", remaining.Select(s => s.Id))}.");
            foreach (var spec in ready)
            {
                var key = JobKey.Compute(spec.Kind, spec.Settings, spec.DependsOn.Select(d => keys[d]), codeVersion);
                keys[spec.Id] = key;
                ordered.Add(new PlannedJob(spec.Id, spec.Stage, spec.Kind, (JsonObject)spec.Settings.DeepClone(),
                    spec.DependsOn.ToArray(), key)
                { Exclusive = spec.Exclusive });
                remaining.Remove(spec);
            }
        }
        return new JobPlan(codeVersion, ordered);
    }

    /// <summary>Level 0 holds jobs without dependencies; level n jobs whose deepest dependency is at n-1.</summary>
    public IReadOnlyList<IReadOnlyList<PlannedJob>> Levels()
    {
        var level = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var job in Jobs) level[job.Id] = job.DependsOn.Count == 0 ? 0 : job.DependsOn.Max(d => level[d]) + 1;
        return Jobs.GroupBy(j => level[j.Id]).OrderBy(g => g.Key).Select(g => (IReadOnlyList<PlannedJob>)g.ToList()).ToList();
    }

    /// <summary>The jobs that depend on <paramref name="id"/>, directly or through others.</summary>
    public IReadOnlySet<string> Dependants(string id)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in Jobs) // topological order: a dependant's dependencies are seen first
            if (job.DependsOn.Any(d => d == id || found.Contains(d)))
                found.Add(job.Id);
        return found;
    }

    public void Save(string path) => AtomicFile.WriteJson(path, new PlanFile(CodeVersion,
        Jobs.Select(j => new PlanFileJob(j.Id, j.Stage, j.Kind, j.Key, j.DependsOn.ToArray(), j.Settings, j.Exclusive)).ToArray()));

    public static JobPlan Load(string path)
    {
        var file = Json.Read<PlanFile>(path);
        var specs = file.Jobs.Select(j => new JobSpec(j.Id, j.Stage, j.Kind, j.Settings, j.DependsOn) { Exclusive = j.Exclusive });
        var plan = Build(specs, file.CodeVersion);
        foreach (var job in file.Jobs)
            if (plan[job.Id].Key != job.Key)
                throw new SelectBenchException(
                    $"{path}: job '{job.Id}' has key {job.Key} but its inputs hash to {plan[job.Id].Key}. The file was edited or written by another version; rerun `selectbench run` to rewrite it.");
        return plan;
    }

    private sealed record PlanFile(string CodeVersion, PlanFileJob[] Jobs);

    private sealed record PlanFileJob(string Id, string Stage, string Kind, string Key, string[] DependsOn, JsonObject Settings, bool Exclusive = false);
}
