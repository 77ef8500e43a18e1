using SelectBench.Curation;
using SelectBench.Curation.PostSteps;
using SelectBench.Curation.Strategies;
using SelectBench.Data;
using SelectBench.Search;

namespace SelectBench.Tests.Curation;

public class PostStepTests
{
    [Fact]
    public void NearDuplicatesKeepTheFirstOfEachGroup()
    {
        // 0 ~ 1 (0.99), 1 ~ 2 (0.99) but 0 vs 2 only 0.9; 3 is alone. Greedy keep-first: keep 0, drop 1
        // (duplicate of kept 0), keep 2 (its only close neighbour, 1, was dropped), keep 3.
        var nn = new Neighbours(
            [0, 1, 2, 1, 0, 2, 2, 1, 0, 3, 0, 1],
            [1f, 0.99f, 0.9f, 1f, 0.99f, 0.99f, 1f, 0.99f, 0.9f, 1f, 0.1f, 0.1f], 4, 3);
        Assert.Equal([0, 2, 3], NearDuplicateRemoval.KeepFirst(nn, 4, 0.95));
        Assert.Equal([0, 3], NearDuplicateRemoval.KeepFirst(nn, 4, 0.9));
    }

    [Fact]
    public void LeakageAndClassCapArePureAndExact()
    {
        Assert.Equal([0, 2], LeakageRemoval.Keep([0.5f, 0.97f, 0.2f, 0.95f], 0.95));
        Assert.Equal([0, 1, 2, 4], ClassCap.Keep([0, 0, 1, 0, 1, 1], 2, 2));
        Assert.Equal(3, ClassCap.BalanceCap([0, 0, 1, 1, 1, 0, 0], 3)); // a: 4, b: 3, c absent
    }

    private static TinyWorld World()
    {
        // Expert set: class a at 0..5 degrees with two exact duplicates (e0 = e1), class b at 90 degrees.
        var world = new TinyWorld(new LabelSet(["a", "b"]));
        world.AddSet("baseline", TinyWorld.Ids("e", 8), [0, 0, 0, 0, 1, 1, 1, 1],
            [TinyWorld.At(0), TinyWorld.At(0), TinyWorld.At(30), TinyWorld.At(60), TinyWorld.At(90), TinyWorld.At(120), TinyWorld.At(150), TinyWorld.At(180)]);
        world.AddSet("test", TinyWorld.Ids("t", 1), [1], [TinyWorld.At(180)]);
        return world;
    }

    [Fact]
    public void PipelineReportsRemovedCountsAndMovesCostToOverhead()
    {
        var world = World();
        var spec = new ShiftSpec("expert-clean", "expert", new Dictionary<string, object?>(),
            new PostStepSettings(LeakageThreshold: 0.99, LeakageEvalSets: ["test"], NearDuplicateThreshold: 0.99, ClassCap: 3, Balance: true));
        var shift = ShiftCurator.Build(spec, world.Context(targetSize: 8));
        Assert.Equal("expert-clean", shift.Name);
        var removed = shift.Report.Removed.ToDictionary(r => r.Step.Split(' ')[0], r => r.Count);
        Assert.Equal(1, removed["leakage"]);        // e7 equals the test image
        Assert.Equal(1, removed["near-duplicates"]); // e1 duplicates e0
        Assert.Equal(0, removed["class"]);          // a has 3 left, b has 3 left: cap 3 removes nothing
        Assert.Equal(0, removed["balance"]);
        Assert.Equal([3, 3], shift.Report.ClassCounts);
        Assert.DoesNotContain("e7", shift.Images.Ids);
        Assert.Equal(0.6, shift.SampleCost, 9);
        Assert.Equal(0.2, shift.OverheadCost, 9);
        Assert.Equal(0.8, shift.TotalCost, 9);
    }

    [Fact]
    public void BalanceCutsEveryClassToTheSmallest()
    {
        var world = new TinyWorld(new LabelSet(["a", "b"]));
        world.AddSet("baseline", TinyWorld.Ids("e", 6), [0, 0, 0, 0, 1, 1], Enumerable.Range(0, 6).Select(i => TinyWorld.At(i * 10)).ToArray());
        var settings = new Dictionary<string, object?> { ["allow_shortfall"] = "true" };
        var unbalanced = ShiftCurator.Build(new ShiftSpec("x", "expert", settings, new PostStepSettings()), world.Context(8));
        Assert.Equal([4, 2], unbalanced.Report.ClassCounts);
        var balanced = ShiftCurator.Build(new ShiftSpec("x", "expert", settings, new PostStepSettings(Balance: true)), world.Context(8));
        Assert.Equal([2, 2], balanced.Report.ClassCounts);
        Assert.Equal(new RemovedCount("balance to 2 per class", 2), balanced.Report.Removed.Single());
    }
}
