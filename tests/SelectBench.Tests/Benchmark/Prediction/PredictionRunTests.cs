using SelectBench.Benchmark;
using SelectBench.Benchmark.Prediction;
using SelectBench.Common;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;
using SelectBench.Statistics;

namespace SelectBench.Tests.Benchmark.Prediction;

/// <summary>
/// The prediction's job graph, and `predict` end to end on a small data-source world (<see cref="SmallRun"/>): a full run of
/// three shifts over two seeds, every kind of proxy scored against it, then a prediction without the full run that follows
/// the reference run the first one wrote.
/// </summary>
public sealed class PredictionRunTests : IDisposable
{
    private readonly SmallRun _small = new();

    public void Dispose() => _small.Dispose();

    private RunConfig Config(string suite = "[base]", string encoder = "pca:8") => RunConfig.Parse($$"""
        name: predict-small
        {{_small.SaveDataSources(100, 200, 200)}}
        curation:
          target_size: 60
          encoder: { kind: pixel-pca, components: 8, fit_on: E }
          shifts:
            expert: { strategy: expert, settings: { source: E } }
            pool-labels: { strategy: expert, settings: { source: pool } }
            embedding-search: { strategy: embedding-search, settings: { queries: E, pool: pool, neighbours_per_query: 1, exclusive: true } }
        training: { width: 0.5, epochs: 2, batch_size: 32, learning_rate: 0.05, warmup_epochs: 1 }
        seeds: [1, 2]
        evaluation:
          suite: {{suite}}
          encoder: {{encoder}}
          bootstrap: 20
          knn: { images_per_class: [2], ks: [1, 5] }
          quality: { max_images: 60, cross_validation_folds: 2, neighbour_k: 5 }
        executor: { parallel: 1 }
        """, "predict-small.yaml");

    [Fact]
    public void AProxyOnTheSslEncoderGetsTheEncoderJobEvenWhenTheRunsSuiteNeedsNone()
    {
        // A run of base accuracy only (what `predict --full` is scored against) has no encoder job; the kNN and
        // linear-probe proxies read the fixed SSL encoder, so the prediction plans it, with the full run's spec.
        var config = Config(encoder: "ssl");
        Assert.False(BenchmarkPlan.Build(config).Contains(BenchmarkPlan.EncoderJob));
        var plan = PredictionPlan.Build(config, ProxyLadder.Select(["knn", "linear-probe", "coverage"]));
        Assert.True(plan.Contains(BenchmarkPlan.EncoderJob));
        Assert.Equal(BenchmarkPlan.Build(Config(suite: "[base, knn]", encoder: "ssl"))[BenchmarkPlan.EncoderJob].Key, plan[BenchmarkPlan.EncoderJob].Key);
        Assert.Contains(BenchmarkPlan.EncoderJob, plan["proxy/knn/expert"].DependsOn);
        Assert.Contains(BenchmarkPlan.EncoderJob, plan[ProxyLadder.Get("linear-probe").JobId("expert")].DependsOn);
        Assert.DoesNotContain(BenchmarkPlan.EncoderJob, plan["proxy/analytics/expert"].DependsOn);
        Assert.False(PredictionPlan.Build(config, ProxyLadder.Select(["coverage"])).Contains(BenchmarkPlan.EncoderJob));
    }

    [Fact]
    public void ThePlanSharesTheRunsUpstreamJobsAndGivesEveryProxyItsOwnJobs()
    {
        var config = Config();
        var plan = PredictionPlan.Build(config, ProxyLadder.All);
        var run = BenchmarkPlan.Build(config);
        foreach (var shared in new[] { BenchmarkPlan.WorldJob, BenchmarkPlan.CurateJob("expert"), BenchmarkPlan.CurateJob("embedding-search") })
            Assert.Equal(run[shared].Key, plan[shared].Key); // same key: the same world and shifts as the full run
        // Metrics: one analyse job per metric and shift (fid and cmmd share image-quality's, coverage and imbalance analytics').
        Assert.Equal(4 * 3, plan.Jobs.Count(j => j.Kind == AnalyseJobKind.KindName));
        Assert.True(plan.Contains("proxy/image-quality/expert"));
        Assert.Equal(3, plan.Jobs.Count(j => j.Kind == LinearProbeJobKind.KindName));
        // Trainings: 5 proxies x 3 shifts x 2 seeds, each trained and evaluated on the base set only.
        Assert.Equal(30, plan.Jobs.Count(j => j.Kind == TrainJobKind.KindName));
        var evaluate = plan["proxy/train-n0.25/expert/seed2/evaluate"];
        Assert.Equal(["world", "proxy/train-n0.25/expert/seed2"], evaluate.DependsOn);
        Assert.Equal(0.25, plan["proxy/train-n0.25/expert/seed2"].Settings["fraction"]!.GetValue<double>());
        // No proxy needs a trained reference model.
        Assert.DoesNotContain(plan.Jobs, j => j.DependsOn.Any(d => d.StartsWith("train/", StringComparison.Ordinal)));
    }

    [Fact]
    public void TrainingProxiesScaleTheRecipe()
    {
        var config = Config();
        Assert.Equal(0.125, PredictionPlan.Recipe(config, ProxyLadder.Get("train-w0.25")).Width);
        var quarter = PredictionPlan.Recipe(config, ProxyLadder.Get("train-e0.25"));
        Assert.Equal((1, 0.25, 0.5), (quarter.Epochs, quarter.WarmupEpochs, quarter.Width)); // ceil(2 / 4) = 1 epoch, warm-up 1 x 1/4
        var quick = RunProfiles.Load("quick");
        var half = PredictionPlan.Recipe(quick, ProxyLadder.Get("train-e0.5"));
        Assert.Equal((5, 0.5), (half.Epochs, half.WarmupEpochs));
        Assert.Equal(quick.Training, PredictionPlan.Recipe(quick, ProxyLadder.Get("train-n0.25")));
        var e = Assert.Throws<BadInputException>(() => ProxyLadder.Get("train-w025"));
        Assert.Contains("did you mean 'train-w0.25'", e.Message);
    }

    [Fact]
    public void PredictScoresEveryKindOfProxyAgainstAFullRunAndThenRanksWithoutOne()
    {
        var config = Config();
        // The full run with predict's executor, so the world and shifts predict reuses ran with the threads its jobs get.
        var fullRun = BenchmarkRunner.Run(config, Path.Combine(_small.Root, "run"), new BenchmarkRunOptions(Executors.LocalThreads, Parallel: 1),
            CancellationToken.None);
        Assert.True(fullRun.Succeeded, fullRun.Summary!.Describe());
        var full = fullRun.Run;
        var folder = PredictionRunner.DefaultFolder(full.Root); // inside the full run, where its report finds the prediction
        var proxies = new[] { "knn", "fid", "imbalance", "linear-probe", "train-e0.5" };
        var options = new PredictionOptions(proxies, full.Root, Executors.LocalThreads, Parallel: 1,
            Bootstrap: new BootstrapSettings(Resamples: 50), ReferenceRuns: []);
        var result = PredictionRunner.Run(config, folder, options, CancellationToken.None);
        Assert.True(result.Summary.Succeeded, result.Summary.Describe());
        var report = result.Report!;
        Assert.Equal(proxies, report.Proxies.Select(p => p.Name));

        // Full training's base top-1 per shift (seed means) and its ranks, read back from the full run.
        string[] shifts = ["expert", "pool-labels", "embedding-search"];
        double Top1(string shift, int seed) =>
            Json.Read<EvaluateJobKind.Result>(full.ResultPath(BenchmarkPlan.EvaluateJob(shift, seed))).Values[BaseAccuracyMetric.Top1Key].Estimate;
        var truth = shifts.Select(s => (Top1(s, 1) + Top1(s, 2)) / 2).ToArray();
        Assert.True(report.FullCpuSeconds > 0);
        foreach (var proxy in report.Proxies)
        {
            var scores = ProxyScoring.Orient(shifts.Select(s => proxy.Scores[s]), proxy.LowerIsBetter);
            Assert.Equal(DecisionAccuracy.Compute(scores, truth), proxy.DecisionAccuracy!.Estimate, 12);
            Assert.Equal(Correlation.KendallTauB(scores, truth), proxy.KendallTau!.Value, 12);
            Assert.InRange(proxy.DecisionAccuracy.Low, 0, proxy.DecisionAccuracy.High);
            Assert.True(proxy.CpuSeconds > 0 && proxy.CostRatio > 0, $"{proxy.Name}: cost {proxy.CpuSeconds} s, ratio {proxy.CostRatio}");
        }
        var fullRanks = ProxyScoring.Ranks(truth);
        foreach (var shift in report.Shifts)
            Assert.Equal(fullRanks[Array.IndexOf(shifts, shift.Name)], shift.FullRank);
        Assert.NotNull(report.Recommendation); // from this run: no reference runs were given
        Assert.Contains(report.RankedBy, proxies);

        foreach (var file in new[] { PredictionRunner.PredictionFile, PredictionRunner.MarkdownFile, PredictionRunner.ReferenceFile, "report/index.html" })
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        var html = File.ReadAllText(Path.Combine(folder, "report", "index.html"));
        Assert.Contains("id=\"proxies\"", html);
        Assert.Contains("id=\"predicted-rank\"", html);
        Assert.Contains("data:image/png;base64", html); // the frontier chart

        // The full run's report, redrawn, gains the frontier section and the predicted ranks.
        var results = Json.Read<SelectBench.Reporting.BenchmarkResults>(Path.Combine(full.Root, ReportJobKind.ResultsFile));
        var runReport = SelectBench.Reporting.BenchmarkReport.Build(results, full.Root).Render();
        Assert.Contains("id=\"proxies\"", runReport);
        Assert.Contains(">predicted rank<", runReport); // the leaderboard's key column
        Assert.Equal(report.Shifts.ToDictionary(s => s.Name, s => s.PredictedRank),
            SelectBench.Reporting.ProxyFrontierChart.PredictedRanks(full.Root));

        // A rerun finds every job done.
        var again = PredictionRunner.Run(config, folder, options, CancellationToken.None);
        Assert.Equal(0, again.Summary.Count(JobOutcomeKind.Ran));
        Assert.Equal(report.Proxies.Select(p => p.DecisionAccuracy), again.Report!.Proxies.Select(p => p.DecisionAccuracy));

        // Without a full run: the reference run just written recommends a proxy, and only that proxy runs.
        var reference = Json.Read<ReferenceRun>(Path.Combine(folder, PredictionRunner.ReferenceFile));
        Assert.Equal(proxies, reference.Proxies.Select(p => p.Name));
        var alone = PredictionRunner.Run(config, Path.Combine(_small.Root, "predict-alone"),
            new PredictionOptions(Executor: Executors.LocalThreads, Parallel: 1, ReferenceRuns: [reference]), CancellationToken.None);
        var expected = ReferenceRuns.Recommend([reference], ProxyLadder.Names)!;
        Assert.Equal(expected.Proxy, alone.Report!.RankedBy);
        Assert.Equal([expected.Proxy], alone.Report.Proxies.Select(p => p.Name));
        Assert.Null(alone.Report.Proxies[0].DecisionAccuracy);
        Assert.Equal(report.Proxies.Single(p => p.Name == expected.Proxy).Scores, alone.Report.Proxies[0].Scores); // same jobs, same numbers
    }
}
