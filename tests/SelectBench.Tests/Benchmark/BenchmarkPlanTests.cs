using SelectBench.Benchmark;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;
using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Tests.Benchmark;

public class BenchmarkPlanTests
{
    [Fact]
    public void TheQuickPlanHasEveryStageAndTheRightCounts()
    {
        var config = RunProfiles.Load("quick");
        var plan = BenchmarkPlan.Build(config);
        int shifts = 6, seeds = config.Seeds.Count, fractions = config.ExpertFractions.Count;
        var byStage = plan.Jobs.GroupBy(j => j.Stage).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(1, byStage["world"]);
        Assert.Equal(shifts, byStage["curate"]);
        Assert.Equal(1, byStage["corrupt"]);
        Assert.Equal(shifts * seeds + fractions * seeds, byStage["train"]);
        Assert.Equal(shifts * seeds + fractions * seeds, byStage["evaluate"]);
        Assert.Equal(shifts, byStage["analyse"]);
        Assert.Equal(1, byStage["report"]);
        Assert.False(byStage.ContainsKey("encoder")); // quick uses pixel PCA
        Assert.Contains(plan.Jobs, j => j.Id == "train/expert-f0.125/seed1");
        Assert.Equal("report", plan.Jobs[^1].Id);
        Assert.True(BenchmarkPlan.Build(RunProfiles.Load("standard")).Contains(BenchmarkPlan.EncoderJob));
    }

    [Fact]
    public void KeysAreStableAndChangeOnlyDownstreamOfAnEdit()
    {
        var config = RunProfiles.Load("quick");
        var a = BenchmarkPlan.Build(config);
        var b = BenchmarkPlan.Build(RunProfiles.Load("quick"));
        Assert.Equal(a.Jobs.Select(j => j.Key), b.Jobs.Select(j => j.Key));

        // More epochs: training, evaluation, analysis that reads the expert model, and the report change; world and curation do not.
        var edited = BenchmarkPlan.Build(config with { Training = config.Training with { Epochs = 11 } });
        var changed = a.Jobs.Where(j => edited[j.Id].Key != j.Key).Select(j => j.Stage).Distinct().Order().ToArray();
        Assert.Equal(["analyse", "evaluate", "report", "train"], changed);

        // Transfer steps concern the model evaluations (and, through the expert model's evaluation they read for the
        // paper's correlations, the analyses); kNN settings concern the shift analyses only, never a training or evaluation.
        var transfer = BenchmarkPlan.Build(config with { Evaluation = config.Evaluation.With<TransferMetricSettings>(t => t with { Transfer = t.Transfer with { Steps = 7 } }) });
        Assert.Equal(["analyse", "evaluate", "report"], a.Jobs.Where(j => transfer[j.Id].Key != j.Key).Select(j => j.Stage).Distinct().Order().ToArray());
        Assert.Equal(a[BenchmarkPlan.TrainJob("expert", 1)].Key, transfer[BenchmarkPlan.TrainJob("expert", 1)].Key);
        var knn = BenchmarkPlan.Build(config with { Evaluation = config.Evaluation.With<SslKnnSettings>(k => k with { Knn = new KnnSuiteSettings(Ks: [5]) }) });
        Assert.Equal(["analyse", "report"], a.Jobs.Where(j => knn[j.Id].Key != j.Key).Select(j => j.Stage).Distinct().Order().ToArray());
    }

    [Fact]
    public void TrainingSeedsDifferOnlyInTheSeed()
    {
        var plan = BenchmarkPlan.Build(RunProfiles.Load("quick"));
        var one = plan["train/expert/seed1"].Settings["recipe"]!;
        var two = plan["train/expert/seed2"].Settings["recipe"]!;
        Assert.Equal(1, one["seed"]!.GetValue<int>());
        Assert.Equal(2, two["seed"]!.GetValue<int>());
        two["seed"] = 1;
        Assert.Equal(one.ToJsonString(), two.ToJsonString());
    }

    [Fact]
    public void AStratifiedFractionKeepsEveryClassInProportion()
    {
        int[] perClass = [8, 4, 2, 1];
        var labels = perClass.SelectMany((n, c) => Enumerable.Repeat(c, n)).ToArray();
        var set = new SelectBench.Data.ImageSet(new byte[labels.Length * 4], labels, SelectBench.Data.LabelSet.Numbered(4), 1, 2, 2);
        var half = ClassBalanced.Fraction(set, 0.5, seed: 0);
        Assert.Equal([4, 2, 1, 1], half.ClassCounts()); // at least one image of a class that has any
        Assert.Equal(half.Ids, ClassBalanced.Fraction(set, 0.5, seed: 0).Ids);
    }
}
