using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Evaluation.Suite;
using SelectBench.Reporting;
using SelectBench.Running;
using SelectBench.Tests.Evaluation.Suite;
using SelectBench.Tests.Training;

namespace SelectBench.Tests.Benchmark;

/// <summary>
/// A metric registered from the test assembly (<see cref="TestConfidenceMetric"/>, one file) and listed in a run
/// config's <c>evaluation.suite</c> runs on every trained model and reaches the leaderboard, with its setting read
/// from the config. Before the registry, such a metric passed validation and was silently dropped from the suite.
/// </summary>
public sealed class NewMetricRunTests : IDisposable
{
    private readonly SmallRun _small = new();

    public NewMetricRunTests() => TestConfidenceMetric.Register();

    public void Dispose() => _small.Dispose();

    [Fact]
    public void AMetricFromTheTestAssemblyRunsEndToEndIntoTheLeaderboard()
    {
        var data = _small.SaveDataSources(100, 200, 200);
        var yaml = $$"""
            name: new-metric
            {{data}}
            curation:
              target_size: 60
              encoder: { kind: pixel-pca, components: 8, fit_on: E }
              shifts:
                expert: { strategy: expert, settings: { source: E } }
                embedding-search: { strategy: embedding-search, settings: { queries: E, pool: pool, neighbours_per_query: 1, exclusive: true } }
            training: { width: 0.25, epochs: 1, batch_size: 32, learning_rate: 0.05, warmup_epochs: 0 }
            seeds: [1]
            evaluation:
              suite: [base, {{TestConfidenceMetric.Name}}]
              encoder: pca:8
              bootstrap: 20
              confidence_scale: 100
            executor: { parallel: 1 }
            """;
        var config = RunConfig.Parse(yaml, "new-metric.yaml");
        Assert.Equal([BaseAccuracyMetric.Name, TestConfidenceMetric.Name], config.Evaluation.ModelSuite);
        var plan = BenchmarkPlan.Build(config);
        var evaluate = plan[BenchmarkPlan.EvaluateJob("expert", 1)].Settings["evaluation"]!;
        Assert.Equal(100, evaluate["confidence_scale"]!.GetValue<double>()); // the job's key covers the metric's setting
        Assert.DoesNotContain(plan.Jobs, j => j.Stage is "analyse" or "corrupt" or "encoder"); // nothing in the suite needs them

        var run = _small.Execute(plan);

        var results = Json.Read<BenchmarkResults>(Path.Combine(run.JobFolder(BenchmarkPlan.ReportJob), ReportJobKind.ResultsFile));
        Assert.Equal(["embedding-search", "expert"], results.Leaderboard.Shifts.Select(s => s.Name).Order());
        foreach (var shift in results.Leaderboard.Shifts)
        {
            // Mean top-class probability of 10 classes lies in [0.1, 1]; scaled by the config's 100.
            var value = shift.Metrics[TestConfidenceMetric.Key];
            Assert.InRange(value.Mean, 10, 100);
            Assert.Equal(1, value.N);
        }
        Assert.Contains($"\"{TestConfidenceMetric.Key}\"", File.ReadAllText(Path.Combine(run.JobFolder(BenchmarkPlan.ReportJob), "leaderboard.json")));
        var html = File.ReadAllText(Path.Combine(run.JobFolder(BenchmarkPlan.ReportJob), ReportJobKind.ReportFolder, "index.html"));
        Assert.Contains("Test confidence per shift", html); // its family's chart
    }

    [Fact]
    public void ASuiteWhoseMetricTheRunCannotFeedIsRefusedOnLoad()
    {
        // A shift analysis has no model; a metric that needs one cannot run there.
        var e = Assert.Throws<SelectBenchException>(() =>
            EvalMetrics.CheckProvided(BaseAccuracyMetric.Name, BenchmarkPlan.ShiftAnalysisInputs, "my.yaml: evaluation.suite"));
        Assert.Contains("my.yaml: evaluation.suite: metric 'base' needs Model", e.Message);
        BenchmarkPlan.CheckSuite(RunProfiles.Load("tiny").Evaluation, "t"); // the built-in suite is fed
    }
}
