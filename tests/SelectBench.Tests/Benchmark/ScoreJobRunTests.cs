using SelectBench.Benchmark;
using SelectBench.Common;

namespace SelectBench.Tests.Benchmark;

/// <summary>
/// A shift whose strategy has a scoring step (el2n-pruning) gets a score job of its own in the run's plan; the curate
/// job depends on it and reads its scores, and other shifts get none (docs/running.md, "The job graph").
/// </summary>
public sealed class ScoreJobRunTests : IDisposable
{
    private readonly SmallRun _small = new();

    public void Dispose() => _small.Dispose();

    private RunConfig Config(string pruneFraction)
    {
        var data = _small.SaveDataSources(100, 200, 200);
        return RunConfig.Parse($$"""
            name: score-job
            {{data}}
            curation:
              target_size: 60
              encoder: { kind: pixel-pca, components: 8, fit_on: E }
              shifts:
                expert: { strategy: expert, settings: { source: E } }
                pruned: { strategy: el2n-pruning, settings: { web_labels: given, prune_fraction: {{pruneFraction}}, epochs: 2, runs: 2, cache_scores: false } }
            training: { width: 0.25, epochs: 1, batch_size: 32, learning_rate: 0.05, warmup_epochs: 0 }
            seeds: [1]
            evaluation: { suite: [base], encoder: pca:8, bootstrap: 20 }
            executor: { parallel: 1 }
            """, "score-job.yaml");
    }

    [Fact]
    public void The_scoring_run_is_a_job_of_its_own_that_the_curate_job_reads()
    {
        var plan = BenchmarkPlan.Build(Config("0.3"));
        var score = plan[BenchmarkPlan.ScoreJob("pruned")];
        Assert.Equal(ScoreJobKind.KindName, score.Kind);
        Assert.Contains(score.Id, plan[BenchmarkPlan.CurateJob("pruned")].DependsOn);
        Assert.Equal(score.Id, plan[BenchmarkPlan.CurateJob("pruned")].Settings["score_job"]!.GetValue<string>());
        Assert.DoesNotContain(plan.Jobs, j => j.Id == BenchmarkPlan.ScoreJob("expert"));

        var run = _small.Execute(plan);

        var result = Json.Read<ScoreJobKind.Result>(run.ResultPath(score.Id));
        Assert.Equal("el2n-pruning", result.Strategy);
        var file = Path.Combine(run.JobFolder(score.Id), ScoreJobKind.ScoresFolder, Assert.Single(result.Files));
        Assert.Equal(200 * sizeof(float), new FileInfo(file).Length); // one score per pool image
        var curated = Json.Read<CurateJobKind.Result>(run.ResultPath(BenchmarkPlan.CurateJob("pruned")));
        Assert.InRange(curated.Images, 1, 60); // N/K per web label from the 70% kept

        // Only the prune fraction changes: the score job's key changes with the shift's settings, the curate job reruns too.
        var changed = BenchmarkPlan.Build(Config("0.5"));
        Assert.NotEqual(score.Key, changed[score.Id].Key);
        Assert.NotEqual(plan[BenchmarkPlan.CurateJob("pruned")].Key, changed[BenchmarkPlan.CurateJob("pruned")].Key);
        Assert.Equal(plan[BenchmarkPlan.CurateJob("expert")].Key, changed[BenchmarkPlan.CurateJob("expert")].Key);
    }
}
