using System.Text.Json;
using System.Text.Json.Nodes;
using SelectBench.Common;
using SelectBench.Engine;

namespace SelectBench.Running;

/// <summary>
/// Everything a running job may use besides its settings (which its kind's constructor takes, <see cref="JobKinds.Create"/>):
/// its dependencies' results, where to write, how many threads to use, a log, and a cancellation token (Ctrl-C) to
/// honour between steps.
/// </summary>
public sealed class JobContext
{
    private readonly RunFolder _run;

    internal JobContext(RunFolder run, PlannedJob job, string outputDir, string workDir, int threads, TextWriter log,
        CancellationToken cancellation)
    {
        _run = run;
        Job = job;
        OutputDir = outputDir;
        WorkDir = workDir;
        Threads = threads;
        Log = log;
        Cancellation = cancellation;
    }

    public PlannedJob Job { get; }

    /// <summary>Where the job writes its results and artefacts; published as a whole once the job succeeds.</summary>
    public string OutputDir { get; }

    /// <summary>
    /// The job's own scratch folder for checkpoints. It survives a kill (so a rerun can resume) and is
    /// removed once the job is done; it is wiped when the job's key changes.
    /// </summary>
    public string WorkDir { get; }

    /// <summary>How many threads this job should use (e.g. torch.set_num_threads): cores / parallel jobs.</summary>
    public int Threads { get; }

    /// <summary>The job's log (&lt;run&gt;/jobs/&lt;id&gt;/job.log); thread-safe.</summary>
    public TextWriter Log { get; }

    public CancellationToken Cancellation { get; }

    public string RunRoot => _run.Root;

    /// <summary>The folder holding a finished dependency's result.json and artefacts.</summary>
    public string DependencyFolder(string dependencyId)
    {
        if (!Job.DependsOn.Contains(dependencyId))
            throw new InvalidOperationException($"job '{Job.Id}' does not depend on '{dependencyId}'; add it to DependsOn.");
        return _run.JobFolder(dependencyId);
    }

    public JsonObject DependencyResult(string dependencyId) =>
        Json.Read<JsonObject>(Path.Combine(DependencyFolder(dependencyId), RunFolder.ResultFile));

    public T DependencyResult<T>(string dependencyId) =>
        Json.Read<T>(Path.Combine(DependencyFolder(dependencyId), RunFolder.ResultFile));

    /// <summary>
    /// Makes the numeric engine ready for this job's threads (self-check and fallback on first use in the process,
    /// docs/engine.md), writes how it computes into the job's log, and records it beside the job's results
    /// (<see cref="RunFolder.EngineFile"/>) for the run's metadata. Every job kind that uses libtorch calls this first.
    /// </summary>
    public EngineState UseEngine()
    {
        var engine = TorchEngine.EnsureReady(Threads);
        Log.WriteLine(engine.Summary);
        AtomicFile.WriteJson(Path.Combine(OutputDir, RunFolder.EngineFile), engine);
        return engine;
    }

    /// <summary>Writes result.json (atomically) into the output folder.</summary>
    public void WriteResult<T>(T result) => AtomicFile.WriteJson(Path.Combine(OutputDir, RunFolder.ResultFile), result);
}
