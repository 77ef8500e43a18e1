using SelectBench.Benchmark;
using SelectBench.Curation;
using SelectBench.Evaluation.Metrics;
using SelectBench.Evaluation.Suite;
using SelectBench.Reporting;
using SelectBench.Statistics;
using SelectBench.Analysis;

namespace SelectBench.Tests.Benchmark;

public class ResultsAggregatorTests
{
    [Fact]
    public void ThreeOrMoreSeedsGiveAStudentTInterval()
    {
        // mean 0.82, s = 0.02, se = 0.02 / sqrt(3), t(0.975, 2) = 4.302653 -> half-width 0.049683.
        var m = ResultsAggregator.AcrossSeeds([Point(0.80), Point(0.82), Point(0.84)]);
        Assert.Equal(0.82, m.Mean, 12);
        Assert.Equal(0.82 - 0.0496827, m.CiLow, 6);
        Assert.Equal(0.82 + 0.0496827, m.CiHigh, 6);
        Assert.Equal(3, m.N);
    }

    [Fact]
    public void FewerSeedsGiveTheHullOfTheirBootstrapIntervals()
    {
        var m = ResultsAggregator.AcrossSeeds([new Interval(0.80, 0.77, 0.83, 1000), new Interval(0.84, 0.80, 0.86, 1000)]);
        Assert.Equal(0.82, m.Mean, 12);
        Assert.Equal(0.77, m.CiLow);
        Assert.Equal(0.86, m.CiHigh);
        Assert.Equal(2, m.N);
    }

    [Fact]
    public void TheLeaderboardRanksByBaseAccuracyWithPairedPValuesAndCorruptionErrorsAgainstTheReference()
    {
        var expert = Shift("expert", [0.90, 0.92, 0.91], cleanError: 0.1, corruptedError: 0.2);
        var search = Shift("embedding-search", [0.80, 0.83, 0.81], cleanError: 0.2, corruptedError: 0.3);
        var synthetic = Shift("synthetic-txt2img", [0.50, 0.52, 0.49], cleanError: 0.5, corruptedError: 0.6);
        var agg = ResultsAggregator.Run([synthetic, search, expert], "expert", [1, 2, 3], []);

        Assert.Equal(["expert", "embedding-search", "synthetic-txt2img"], agg.Leaderboard.Shifts.Select(s => s.Name));
        Assert.Null(agg.Leaderboard.Shifts[0].PValueVsReference);
        // Paired differences 0.10, 0.09, 0.10: mean 0.09667, s 0.005774, t = 29.0 on 2 df -> p = 0.001187.
        Assert.Equal(0.001187, agg.Leaderboard.Shifts[1].PValueVsReference!.Value, 5);
        // CE = sum_s E / sum_s E_ref = 0.3 / 0.2 for every corruption and seed; relative CE = (0.3 - 0.2) / (0.2 - 0.1) = 1.
        var mce = agg.Leaderboard.Shifts[1].Metrics["mce"];
        Assert.Equal(1.5, mce.Mean, 10);
        Assert.Equal(1.0, agg.Leaderboard.Shifts[1].Metrics["relative_mce"].Mean, 10);
        Assert.Equal(1.0, agg.Leaderboard.Shifts[0].Metrics["mce"].Mean, 10);
        Assert.Equal(0.25, agg.Leaderboard.Shifts[0].Metrics["cost"].Mean);

        var findings = agg.Findings.ToDictionary(f => f.Claim, f => f.Holds);
        Assert.True(findings["The expert shift is best on base accuracy"]);
        Assert.True(findings["Embedding search is above synthetic data on base accuracy"]);
        Assert.Null(findings["For synthetic data, img2img is above txt2img on base accuracy"]); // the run has no img2img shift
        Assert.Equal(0.779, agg.Paper.Single(p => p.PaperShift == "IN1000").PaperTop1);
        Assert.Equal(0.91, agg.Paper.Single(p => p.PaperShift == "IN1000").Top1!.Mean, 10);
        Assert.Null(agg.Paper.Single(p => p.PaperShift == "OI1000").Top1);
    }

    [Fact]
    public void TheExpertCurveInvertsTheLogFitAtEachShiftsAccuracy()
    {
        // Accuracy = 0.1 ln(n): 100 images -> 0.4605, 1000 -> 0.6908 (the full expert shift).
        var expert = Shift("expert", [0.1 * Math.Log(1000), 0.1 * Math.Log(1000)], 0.1, 0.2, images: 1000);
        var other = Shift("embedding-search", [0.1 * Math.Log(300), 0.1 * Math.Log(300)], 0.1, 0.2);
        var fraction = new FractionResults(0.1, 100, new Dictionary<int, double> { [1] = 0.1 * Math.Log(100), [2] = 0.1 * Math.Log(100) });
        var agg = ResultsAggregator.Run([expert, other], "expert", [1, 2], [fraction]);
        var curve = agg.ExpertSize!;
        Assert.Equal(0.1, curve.Slope, 10);
        Assert.Equal(0.0, curve.Intercept, 10);
        Assert.Equal([100, 1000], curve.Points.Select(p => p.Images));
        Assert.Equal(300, curve.Equivalents.Single(e => e.Shift == "embedding-search").Images, 6);
        Assert.Equal(300, agg.Leaderboard.Shifts.Single(s => s.Name == "embedding-search").Metrics["expert_equivalent_images"].Mean, 6);
    }

    [Fact]
    public void TheCrowdFindingComparesLargestShareWithTheBalancedExpertShift()
    {
        var board = Leaderboard.Rank("base_top1",
        [
            new LeaderboardEntry("expert", "expert", 100, 10, 1, new Dictionary<string, MetricSummary> { ["ls_5pct"] = MetricSummary.Point(0.1) }),
            new LeaderboardEntry("crowd-schema", "crowd-schema", 100, 10, 1, new Dictionary<string, MetricSummary> { ["ls_5pct"] = MetricSummary.Point(0.31) }),
        ]);
        Assert.True(ResultsAggregator.Findings(board, "expert").Single(f => f.Claim.Contains("LS@5pct")).Holds);
    }

    private static Interval Point(double v) => new(v, v, v, 1);

    private static ShiftJobResults Shift(string name, double[] top1BySeed, double cleanError, double corruptedError, int images = 100)
    {
        var evaluations = new Dictionary<int, EvaluateJobKind.Result>();
        var errors = new Dictionary<int, CorruptionReference>();
        for (int i = 0; i < top1BySeed.Length; i++)
        {
            evaluations[i + 1] = new EvaluateJobKind.Result(
                new Dictionary<string, Interval> { ["base_top1"] = new(top1BySeed[i], top1BySeed[i] - 0.01, top1BySeed[i] + 0.01, 1000) },
                new Dictionary<string, double>(), [top1BySeed[i], top1BySeed[i]], new Dictionary<string, double[]>());
            errors[i + 1] = new CorruptionReference(name, cleanError,
                new Dictionary<string, double[]> { ["fog"] = Enumerable.Repeat(corruptedError, 5).ToArray(), ["snow"] = Enumerable.Repeat(corruptedError, 5).ToArray() });
        }
        var audit = new ShiftAuditResult(images, images, 0, [0, 0], 0, 0, 0.98);
        var curation = new CurateJobKind.Result(name, name, images, 2, [images / 2, images - images / 2], 0.25, 0.25, 0, images, audit, [], [], 1);
        return new ShiftJobResults(name, curation, null, ["a", "b"], evaluations, errors, null);
    }
}
