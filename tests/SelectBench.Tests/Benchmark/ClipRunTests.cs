using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Data;
using SelectBench.Evaluation.Suite;
using SelectBench.Reporting;
using SelectBench.Running;
using SelectBench.Tests.Encoders;
using SelectBench.Tests.Training;

namespace SelectBench.Tests.Benchmark;

/// <summary>
/// The paper's CLIP path end to end with the random-weight CLIP fixture (scripts/clip-fixture): a run config names
/// the pair once for curation (class-query-search with text queries, the LA1000 txt2img analogue) and once for the
/// CLIP metrics, and the leaderboard shows CLIPScore and CLIP-IQA for every shift.
/// </summary>
public sealed class ClipRunTests : IDisposable
{
    private readonly SmallRun _small = new();

    public void Dispose() => _small.Dispose();

    [Fact]
    public void TextQueriesBuildAShiftAndTheClipMetricsReachTheLeaderboard()
    {
        var data = _small.SaveDataSources(60, 100, 200);
        var clip = $$"""{ image: {{ClipFixture.File("image.onnx")}}, text: {{ClipFixture.File("text.onnx")}}, vocab: {{ClipFixture.File("vocab.json")}}, merges: {{ClipFixture.File("merges.txt")}}, image_size: 32 }""";
        var yaml = $$"""
            name: clip-run
            {{data}}
            curation:
              target_size: 40
              encoder: { kind: clip, fit_on: E, clip: {{clip}} }
              shifts:
                expert: { strategy: expert, settings: { source: E } }
                text-search: { strategy: class-query-search, settings: { pool: pool, queries: text, threshold: -1, margin: 0 } }
            training: { width: 0.25, epochs: 1, batch_size: 32, learning_rate: 0.05, warmup_epochs: 0 }
            seeds: [1]
            evaluation:
              suite: [base, clip]
              encoder: pca:8
              bootstrap: 20
              clip: {{clip}}
            executor: { parallel: 1 }
            """;
        var config = RunConfig.Parse(yaml, "clip-run.yaml");
        Assert.Equal([ClipMetric.Name], config.Evaluation.ShiftSuite);
        var plan = BenchmarkPlan.Build(config);
        var run = _small.Execute(plan);

        var results = Json.Read<BenchmarkResults>(Path.Combine(run.JobFolder(BenchmarkPlan.ReportJob), ReportJobKind.ResultsFile));
        Assert.Equal(["expert", "text-search"], results.Leaderboard.Shifts.Select(s => s.Name).Order());
        foreach (var shift in results.Leaderboard.Shifts)
        {
            var score = shift.Metrics[ClipMetric.ClipScoreKey];
            var iqa = shift.Metrics[ClipMetric.ClipIqaKey];
            Assert.InRange(score.Mean, 0, 100); // 100 max(cos, 0)
            Assert.InRange(iqa.Mean, 0, 1);     // a probability
            Assert.True(score.CiLow <= score.Mean && score.Mean <= score.CiHigh);
        }
        var textShift = results.Leaderboard.Shifts.Single(s => s.Name == "text-search");
        // A random-weight CLIP sends most pool images to few classes; the per-class cap (N/K = 4) then bounds the shift.
        Assert.InRange(textShift.Images, 1, 40);
        var log = File.ReadAllText(Path.Combine(run.JobFolder(BenchmarkPlan.CurateJob("text-search")), RunFolder.LogFile));
        Assert.Contains("CLIP image tower", log);
        Assert.Contains("\"clip_score\"", File.ReadAllText(Path.Combine(run.JobFolder(BenchmarkPlan.ReportJob), "leaderboard.json")));
    }

    [Fact]
    public void AClipPairInTheConfigAddsTheClipMetricsToTheDefaultSuite()
    {
        var clip = $$"""{ image: {{ClipFixture.File("image.onnx")}}, text: {{ClipFixture.File("text.onnx")}}, vocab: {{ClipFixture.File("vocab.json")}}, merges: {{ClipFixture.File("merges.txt")}} }""";
        var withPair = RunEvaluationSettings.FromSection(SettingsBinder.ParseYaml($"clip: {clip}", "e.yaml"), "evaluation");
        Assert.Contains(ClipMetric.Name, withPair.Suite);
        var without = RunEvaluationSettings.FromSection(SettingsBinder.ParseYaml("bootstrap: 20", "e.yaml"), "evaluation");
        Assert.DoesNotContain(ClipMetric.Name, without.Suite);
        var missing = Assert.Throws<SelectBenchException>(() =>
            CurationConfig.Parse("encoder: { kind: clip }\nshifts: { expert: { strategy: expert } }", "c.yaml"));
        Assert.Contains("encoder.clip", missing.Message);
    }
}
