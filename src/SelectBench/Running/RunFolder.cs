using SelectBench.Common;

namespace SelectBench.Running;

/// <summary>
/// The on-disk layout of a run (see docs/running.md):
/// <code>
/// &lt;run&gt;/plan.json                      the job graph with keys
/// &lt;run&gt;/jobs/&lt;safe-id&gt;/result.json      the job's result, then its artefacts (immutable once done)
/// &lt;run&gt;/jobs/&lt;safe-id&gt;/done             marker holding the key the results were made with
/// &lt;run&gt;/jobs/&lt;safe-id&gt;/status.json      state of the last attempt, and every attempt of the current key
/// &lt;run&gt;/jobs/&lt;safe-id&gt;/job.log          log of every attempt
/// &lt;run&gt;/jobs/&lt;safe-id&gt;/.tmp-&lt;key&gt;/      where a running job writes its results
/// &lt;run&gt;/jobs/&lt;safe-id&gt;/work/            the job's own checkpoints; survives a kill, removed when done
/// &lt;run&gt;/slurm/                         sbatch scripts, array-index files and Slurm logs
/// </code>
/// </summary>
public sealed class RunFolder
{
    public const string DoneMarker = "done";
    public const string StatusFile = "status.json";
    public const string LogFile = "job.log";
    public const string WorkFolder = "work";
    public const string ResultFile = "result.json";

    /// <summary>The engine a job computed with (<see cref="Engine.EngineState"/>), written by <see cref="JobContext.UseEngine"/>.</summary>
    public const string EngineFile = "engine.json";
    private const string StagingPrefix = ".tmp-";

    public string Root { get; }

    public RunFolder(string root) => Root = Path.GetFullPath(root);

    public string PlanPath => Path.Combine(Root, "plan.json");
    public string JobsRoot => Path.Combine(Root, "jobs");
    public string SlurmRoot => Path.Combine(Root, "slurm");

    public string JobFolder(string id) => Path.Combine(JobsRoot, JobSpec.SafeId(id));
    public string ResultPath(string id) => Path.Combine(JobFolder(id), ResultFile);
    public string LogPath(string id) => Path.Combine(JobFolder(id), LogFile);
    public string WorkDir(string id) => Path.Combine(JobFolder(id), WorkFolder);
    public string StagingDir(PlannedJob job) => Path.Combine(JobFolder(job.Id), StagingPrefix + job.Key);
    private string DonePath(string id) => Path.Combine(JobFolder(id), DoneMarker);
    private string StatusPath(string id) => Path.Combine(JobFolder(id), StatusFile);

    public void SavePlan(JobPlan plan) => plan.Save(PlanPath);

    public JobPlan LoadPlan()
    {
        if (!File.Exists(PlanPath))
            throw new SelectBenchException($"{Root}: no plan.json here; is this a run folder written by `selectbench run`?");
        return JobPlan.Load(PlanPath);
    }

    /// <summary>The key the job's current results were made with, or null if it has not finished.</summary>
    public string? DoneKey(string id)
    {
        var path = DonePath(id);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    public bool IsDone(PlannedJob job) => DoneKey(job.Id) == job.Key;

    public JobStatus? ReadStatus(string id)
    {
        var path = StatusPath(id);
        return File.Exists(path) ? Json.Read<JobStatus>(path) : null;
    }

    public void WriteStatus(string id, JobStatus status) => AtomicFile.WriteJson(StatusPath(id), status);

    /// <summary>
    /// Empties the staging folder for a new attempt (leftovers of a killed attempt are not trusted) and
    /// keeps the work folder only if it belongs to the same key.
    /// </summary>
    internal (string Staging, string Work) PrepareAttempt(PlannedJob job)
    {
        var folder = JobFolder(job.Id);
        Directory.CreateDirectory(folder);
        foreach (var old in Directory.EnumerateDirectories(folder, StagingPrefix + "*")) Directory.Delete(old, recursive: true);
        var staging = StagingDir(job);
        Directory.CreateDirectory(staging);

        var work = WorkDir(job.Id);
        var workKey = Path.Combine(work, ".key");
        if (Directory.Exists(work) && (!File.Exists(workKey) || File.ReadAllText(workKey).Trim() != job.Key))
            Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        if (!File.Exists(workKey)) AtomicFile.WriteAllText(workKey, job.Key);
        return (staging, work);
    }

    /// <summary>
    /// Publishes a finished attempt: invalidate the old done marker, replace the old results by the staged
    /// ones (each entry moved by one rename, so result.json is never seen half-written), drop the
    /// checkpoints and write the done marker last. A kill anywhere in between leaves no done marker, and the
    /// job is rerun.
    /// </summary>
    internal void Commit(PlannedJob job)
    {
        var folder = JobFolder(job.Id);
        var staging = StagingDir(job);
        if (!File.Exists(Path.Combine(staging, ResultFile)))
            throw new SelectBenchException(
                $"job '{job.Id}' (kind '{job.Kind}') finished without writing {ResultFile}; a job kind must call JobContext.WriteResult.");
        File.Delete(DonePath(job.Id));
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
        {
            var name = Path.GetFileName(entry);
            if (IsBookkeeping(name)) continue;
            if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
            else File.Delete(entry);
        }
        // result.json moves last, so a reader who sees it also sees every artefact it describes.
        var staged = Directory.EnumerateFileSystemEntries(staging)
            .OrderBy(e => Path.GetFileName(e) == ResultFile).ToList();
        foreach (var entry in staged)
        {
            var target = Path.Combine(folder, Path.GetFileName(entry));
            if (Directory.Exists(entry)) Directory.Move(entry, target);
            else File.Move(entry, target);
        }
        Directory.Delete(staging, recursive: true);
        var work = WorkDir(job.Id);
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        AtomicFile.WriteAllText(DonePath(job.Id), job.Key);
    }

    /// <summary>Removes the done marker so the job runs again (used by --force).</summary>
    internal void Invalidate(string id)
    {
        if (File.Exists(DonePath(id))) File.Delete(DonePath(id));
    }

    private static bool IsBookkeeping(string name) =>
        name is DoneMarker or StatusFile or LogFile or WorkFolder || name.StartsWith(StagingPrefix, StringComparison.Ordinal)
        || name.StartsWith('.'); // AtomicFile's temporary files
}
