using System.Diagnostics;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Running;

namespace SelectBench.Benchmark;

/// <summary>
/// Runs the scoring step of a shift whose strategy has one (<see cref="IScoringStrategy"/>: el2n-pruning's short
/// training runs) before the shift is curated. The scores are this job's output (scores/), so the scoring run is
/// cached, costed and scheduled like any other job, and curate/&lt;shift&gt; reads them (docs/running.md).
/// Same settings as the shift's curate job.
/// </summary>
[Registered(KindName, Description = "Computes the scores a scoring strategy (el2n-pruning) curates by, for one shift", Settings = typeof(CurateJobSettings))]
public sealed class ScoreJobKind(CurateJobSettings settings) : IJobKind
{
    public const string KindName = "score";

    /// <summary>The folder under the job's output that holds the scores.</summary>
    public const string ScoresFolder = "scores";

    /// <param name="Files">The score files written (one per score kind, run settings, features and labels).</param>
    public sealed record Result(string Shift, string Strategy, IReadOnlyList<string> Files, double Seconds);

    public void Run(JobContext context)
    {
        var config = settings.Config($"job '{context.Job.Id}' curation");
        var spec = config.Select([settings.Shift]).Single();
        using var world = BenchmarkInputs.World(context);
        context.UseEngine();
        var folder = Path.Combine(context.OutputDir, ScoresFolder);
        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        if (!CurationRun.Score(world.Curation, config, context.WorkDir, settings.Shift, folder, context.Log.WriteLine, context.Cancellation))
            throw new SelectBenchException($"job '{context.Job.Id}': strategy '{spec.Strategy}' of shift '{settings.Shift}' has no scoring step; the plan adds score jobs only for strategies that do.");
        var files = Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        context.WriteResult(new Result(settings.Shift, spec.Strategy, files, Math.Round(clock.Elapsed.TotalSeconds, 2)));
    }
}
