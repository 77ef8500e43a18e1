using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.Strategies;
using SelectBench.Data;

namespace SelectBench.Tests.Curation;

public class ExpertSampleTests
{
    private static TinyWorld World(int perClassA = 6, int perClassB = 6)
    {
        var world = new TinyWorld(new LabelSet(["a", "b"]));
        int n = perClassA + perClassB;
        var labels = Enumerable.Range(0, n).Select(i => i < perClassA ? 0 : 1).ToArray();
        world.AddSet("baseline", TinyWorld.Ids("e", n), labels, labels.Select(l => TinyWorld.At(l * 90)).ToArray());
        return world;
    }

    [Fact]
    public void TakesNOverKPerClassWithExpertCostAndProvenance()
    {
        var world = World();
        var shift = new ExpertSample(new ExpertSettings()).Build(world.Context(targetSize: 8));
        Assert.Equal([4, 4], shift.Report.ClassCounts);
        Assert.Equal(8, shift.Images.Count);
        Assert.All(shift.Provenance, p => Assert.Equal(0.10, p.Cost, 12));
        Assert.Equal(0.8, shift.TotalCost, 9);
        Assert.Equal(shift.Images.Ids.Distinct().Count(), shift.Images.Count);
        // Expert labels are ground truth.
        Assert.All(Enumerable.Range(0, 8), i => Assert.Equal(shift.Images.Labels[i], shift.Provenance[i].TrueLabel));
        Assert.All(shift.Provenance, p => Assert.Equal("set:baseline", p.Source));
    }

    [Fact]
    public void SameSeedSameSampleOtherSeedOtherSample()
    {
        var world = World(20, 20);
        var a = new ExpertSample(new ExpertSettings()).Build(world.Context(8, seed: 1)).Images.Ids;
        var b = new ExpertSample(new ExpertSettings()).Build(world.Context(8, seed: 1)).Images.Ids;
        var c = new ExpertSample(new ExpertSettings()).Build(world.Context(8, seed: 2)).Images.Ids;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void TooFewImagesInAClassIsAnErrorNamingTheClassUnlessShortfallAllowed()
    {
        var world = World(perClassA: 2, perClassB: 6);
        var e = Assert.Throws<BadInputException>(() => new ExpertSample(new ExpertSettings()).Build(world.Context(8)));
        Assert.Contains("class 'a' has 2 images in 'baseline'", e.Message);
        var shift = new ExpertSample(new ExpertSettings(AllowShortfall: true)).Build(world.Context(8));
        Assert.Equal([2, 4], shift.Report.ClassCounts);
        Assert.Contains(shift.Report.Warnings, w => w.Contains("class 'a'"));
    }

    [Fact]
    public void MissingSourceSetIsNamed()
    {
        var world = World();
        var e = Assert.Throws<BadInputException>(() => new ExpertSample(new ExpertSettings(Source: "reservoir")).Build(world.Context(8)));
        Assert.Equal("reservoir", e.Item);
        Assert.Contains("baseline", e.Message);
    }
}
