using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.Crowd;
using SelectBench.Curation.Strategies;
using SelectBench.Data;
using SelectBench.Analysis;

namespace SelectBench.Tests.Curation;

public class SchemaMappingTests
{
    private static readonly LabelSet Labels = new(["T-shirt/top", "Sneaker", "Sandal"]);

    [Fact]
    public void HandlesManyToOneUnmappedAndConflictingRows()
    {
        string[] taxonomy = ["t-shirt", "tank top", "sneaker", "footwear", "accessory", "hat"];
        SchemaMappingRow[] rows =
        [
            new("t-shirt", "T-shirt/top"), new("tank top", "T-shirt/top"),   // many-to-one
            new("sneaker", "Sneaker"), new("sneaker", "Sneaker"),            // repeated identical row: fine
            new("footwear", "Sneaker"), new("footwear", "Sandal"),           // conflicting: ambiguous
            new("accessory", "none"),                                        // unmapped
        ];
        var m = SchemaMapping.Resolve(taxonomy, rows, Labels);
        Assert.Equal([0, 0, 1, SchemaMapping.Unmapped, SchemaMapping.Unmapped, SchemaMapping.Unmapped], m.TargetOf);
        Assert.Equal(["footwear"], m.Ambiguous);
        Assert.Equal(["accessory"], m.MappedToNone);
        Assert.Equal(["hat"], m.WithoutRow);
    }

    [Fact]
    public void ARowNamingAnUnknownTargetClassIsAnErrorNamingTheRow()
    {
        var e = Assert.Throws<BadInputException>(() => SchemaMapping.Resolve(["t-shirt", "boot"],
            [new("t-shirt", "T-shirt/top"), new("boot", "Ankle boot")], Labels));
        Assert.Equal("mapping row 2 ('boot' -> 'Ankle boot')", e.Item);
        Assert.Contains("'Ankle boot' is not in the label set", e.Message);
    }

    [Fact]
    public void ARowNamingAnUnknownSourceLabelIsAnError()
    {
        var e = Assert.Throws<BadInputException>(() => SchemaMapping.Resolve(["t-shirt"], [new("tee", "T-shirt/top")], Labels));
        Assert.Contains("row 1", e.Item);
        Assert.Contains("not in the source taxonomy", e.Message);
    }
}

public class SimulatedCrowdTests
{
    internal static ImageSet FashionPool(int perClass)
    {
        int n = perClass * 10;
        var labels = Enumerable.Range(0, n).Select(i => i % 10).ToArray();
        var ids = Enumerable.Range(0, n).Select(i => $"w{i}").ToArray();
        return new ImageSet(new byte[n * 4], labels, LabelSet.FashionMnist, 1, 2, 2, ids);
    }

    [Fact]
    public void SourceIsLongTailedAndEveryImageGetsThreeDistinctWorkers()
    {
        var result = SimulatedCrowd.Simulate(FashionPool(200), CrowdTaxonomyDefinition.FashionMnist,
            new CrowdSimulationSettings(Images: 1000, ZipfExponent: 1.0), seed: 3);
        var counts = result.ClassCounts.OrderDescending().ToArray();
        // Zipf s=1 over 10 classes: shares 1/(r * H_10), H_10 = 2.929; top class about 341 of 1000 (capped at 200 here), last about 34.
        Assert.Equal(200, counts[0]);
        Assert.InRange(counts[9], 30, 40);
        Assert.InRange(counts[1], 165, 175);
        var annotations = result.Annotations;
        Assert.True(annotations.Simulated);
        Assert.All(annotations.Images.Provenance!, p => Assert.True(p.Simulated));
        Assert.Equal(3 * annotations.Images.Count, annotations.Votes.Count);
        Assert.All(annotations.Votes.GroupBy(v => v.ImageId), g => Assert.Equal(3, g.Select(v => v.WorkerId).Distinct().Count()));
        Assert.Contains("footwear", annotations.SourceTaxonomy);
        Assert.Contains("accessory", annotations.SourceTaxonomy);
        Assert.Contains("running shoe", annotations.SourceTaxonomy);
    }

    [Fact]
    public void WorkerConfusionIsConcentratedOnSimilarClasses()
    {
        var result = SimulatedCrowd.Simulate(FashionPool(20), CrowdTaxonomyDefinition.FashionMnist, new CrowdSimulationSettings(Images: 100), seed: 3);
        int shirt = 6, tshirt = 0, pullover = 2, coat = 4, trouser = 1;
        foreach (var (m, r) in result.WorkerConfusion.Zip(result.Reliability))
        {
            for (int j = 0; j < 10; j++) Assert.Equal(1.0, m.Skip(j * 10).Take(10).Sum(), 9);
            Assert.Equal(r, m[shirt * 10 + shirt], 9);
            double similar = m[shirt * 10 + tshirt] + m[shirt * 10 + pullover] + m[shirt * 10 + coat];
            Assert.Equal(0.85 * (1 - r), similar, 9);
            Assert.Equal((1 - r) / 9, m[trouser * 10 + 3], 9); // trouser has no similar group: uniform errors
        }
        Assert.InRange(result.Reliability.Min(), 0.55, 0.95);
    }

    [Fact]
    public void MappingTableMarksFootwearAmbiguousAndAccessoryUnmapped()
    {
        var taxonomy = CrowdTaxonomyDefinition.FashionMnist;
        var m = SchemaMapping.Resolve(taxonomy.SourceTaxonomy(), taxonomy.MappingTable(), LabelSet.FashionMnist);
        Assert.Equal(["footwear"], m.Ambiguous);
        Assert.Equal(["accessory"], m.MappedToNone);
        Assert.Equal(0, m.TargetOf[m.SourceIndex("tank top")]);
        Assert.Equal(7, m.TargetOf[m.SourceIndex("running shoe")]);
    }
}

public class CrowdSchemaTests
{
    private static (TinyWorld World, SimulatedCrowd.Result Sim) World()
    {
        var world = new TinyWorld(LabelSet.FashionMnist);
        var sim = SimulatedCrowd.Simulate(SimulatedCrowdTests.FashionPool(150), CrowdTaxonomyDefinition.FashionMnist,
            new CrowdSimulationSettings(Images: 800), seed: 5);
        return (world, sim);
    }

    [Theory]
    [InlineData("dawid-skene")]
    [InlineData("majority")]
    public void MapsAggregatesAndChargesPerVote(string aggregation)
    {
        var (world, sim) = World();
        var crowds = new Dictionary<string, CrowdAnnotations> { ["crowd"] = sim.Annotations };
        var costs = new CostModel(CrowdVote: 0.5);
        var shift = new CrowdSchema(new CrowdSchemaSettings(Aggregation: aggregation, MaxImages: 10_000))
            .Build(world.Context(targetSize: 100, costs: costs, crowds: crowds));

        Assert.True(shift.Images.Count > 0);
        Assert.True(shift.Images.Count < sim.Annotations.Images.Count); // footwear / accessory majorities dropped
        Assert.All(shift.Provenance, p =>
        {
            Assert.Equal(3, p.Votes!.Split(';').Length);
            Assert.Equal(1.5, p.Cost, 12);
            Assert.True(p.Simulated);
        });
        Assert.Equal(sim.Annotations.Votes.Count * 0.5, shift.TotalCost, 6);
        Assert.Equal(30, shift.Report.WorkerAccuracies!.Count);
        Assert.Contains(shift.Report.Warnings, w => w.Contains("footwear"));
        // Long tail survives: no balancing.
        Assert.True(shift.Report.ClassCounts.Max() > 3 * shift.Report.ClassCounts.Where(c => c > 0).Min());

        var audit = shift.Audit();
        Assert.Equal(shift.Images.Count, audit.Audited);
        Assert.InRange(audit.NoiseRate, 0.0, 0.35);
    }

    [Fact]
    public void DawidSkeneGivesCleanerLabelsThanMajorityOnTheSimulatedCrowd()
    {
        var (world, sim) = World();
        var crowds = new Dictionary<string, CrowdAnnotations> { ["crowd"] = sim.Annotations };
        double Noise(string aggregation) => new CrowdSchema(new CrowdSchemaSettings(Aggregation: aggregation, MaxImages: 10_000))
            .Build(world.Context(100, crowds: crowds)).Audit().NoiseRate;
        Assert.True(Noise("dawid-skene") <= Noise("majority"));
    }

    [Fact]
    public void CapsAtTargetSizeByUniformSubsample()
    {
        var (world, sim) = World();
        var crowds = new Dictionary<string, CrowdAnnotations> { ["crowd"] = sim.Annotations };
        var shift = new CrowdSchema(new CrowdSchemaSettings()).Build(world.Context(100, crowds: crowds));
        Assert.Equal(100, shift.Images.Count);
        Assert.True(shift.OverheadCost > 0); // votes on images not kept
    }

    [Fact]
    public void MissingCrowdAndVotesForUnknownImagesAreNamed()
    {
        var (world, sim) = World();
        var e = Assert.Throws<BadInputException>(() => new CrowdSchema(new CrowdSchemaSettings()).Build(world.Context(100)));
        Assert.Equal("crowd", e.Item);
        var bad = sim.Annotations with { Votes = [.. sim.Annotations.Votes, new CrowdVote("nope", "w", "t-shirt")] };
        var crowds = new Dictionary<string, CrowdAnnotations> { ["crowd"] = bad };
        var e2 = Assert.Throws<BadInputException>(() => new CrowdSchema(new CrowdSchemaSettings()).Build(world.Context(100, crowds: crowds)));
        Assert.Contains("image 'nope'", e2.Item);
    }
}
