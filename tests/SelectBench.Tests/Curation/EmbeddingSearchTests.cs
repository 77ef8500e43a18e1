using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.Strategies;
using SelectBench.Data;

namespace SelectBench.Tests.Curation;

public class EmbeddingSearchTests
{
    // Two classes: queries of 'a' sit at 0 degrees, queries of 'b' at 90 degrees (2-d embeddings).
    // Pool: p0 1 deg, p1 2 deg, p2 5 deg, p3 88 deg, p4 89 deg, p5 45 deg. Hidden truths: p2 is really 'b'.
    private static TinyWorld World()
    {
        var world = new TinyWorld(new LabelSet(["a", "b"]));
        world.AddSet("baseline", TinyWorld.Ids("q", 6), [0, 0, 0, 1, 1, 1],
            [TinyWorld.At(0), TinyWorld.At(0), TinyWorld.At(0), TinyWorld.At(90), TinyWorld.At(90), TinyWorld.At(90)]);
        world.AddSet("pool", TinyWorld.Ids("p", 6), [0, 0, 0, 0, 0, 0],
            [TinyWorld.At(1), TinyWorld.At(2), TinyWorld.At(5), TinyWorld.At(88), TinyWorld.At(89), TinyWorld.At(45)],
            truth: [0, 0, 1, 1, 1, SampleProvenance.NotAClass]);
        return world;
    }

    [Fact]
    public void ExclusiveQueriesTakeNearestUnusedNeighboursAndRecordProvenance()
    {
        // Oversample 1 makes the first search return one neighbour, so the second query of a class
        // must search again with a larger k to move past the image the first query took.
        var shift = new EmbeddingSearch(new EmbeddingSearchSettings(SearchOversample: 1)).Build(World().Context(targetSize: 4));
        Assert.Equal(4, shift.Images.Count);
        Assert.Equal(shift.Images.Ids.Length, shift.Images.Ids.Distinct().Count());
        var byId = Enumerable.Range(0, 4).ToDictionary(i => shift.Images.Ids[i]);
        Assert.Equal(["p0", "p1", "p3", "p4"], byId.Keys.Order().ToArray());
        Assert.Equal(0, shift.Images.Labels[byId["p0"]]);
        Assert.Equal(1, shift.Images.Labels[byId["p3"]]);
        var p0 = shift.Provenance[byId["p0"]];
        Assert.Equal("pool:pool", p0.Source);
        Assert.StartsWith("q", p0.QueryId);
        Assert.Equal(Math.Cos(Math.PI / 180), p0.Similarity!.Value, 5);
        Assert.Equal(1, shift.Provenance[byId["p3"]].TrueLabel);
        Assert.Contains(shift.Report.Notes, n => n.Contains("re-searches"));
    }

    [Fact]
    public void SimilarityFloorStopsQueriesAndTheShortClassIsReported()
    {
        double floor = Math.Cos(1.5 * Math.PI / 180);
        var shift = new EmbeddingSearch(new EmbeddingSearchSettings(SimilarityFloor: floor)).Build(World().Context(targetSize: 4));
        Assert.Equal(["p0", "p4"], shift.Images.Ids.Order().ToArray());
        Assert.All(shift.Provenance, p => Assert.True(p.Similarity >= floor));
        Assert.Contains(shift.Report.Warnings, w => w.Contains("class 'a' got 1 of 2"));
        Assert.Contains(shift.Report.Warnings, w => w.Contains("fewer than the target 4"));
    }

    [Fact]
    public void NonExclusiveSearchReusesPoolImagesUnlessDedup()
    {
        var reuse = new EmbeddingSearch(new EmbeddingSearchSettings(Exclusive: false, Dedup: false)).Build(World().Context(4));
        Assert.Equal(2, reuse.Images.Ids.Count(id => id == "p0"));
        var dedup = new EmbeddingSearch(new EmbeddingSearchSettings(Exclusive: false, Dedup: true)).Build(World().Context(4));
        Assert.Equal(dedup.Images.Ids.Length, dedup.Images.Ids.Distinct().Count());
        Assert.Equal(1, dedup.Report.ClassCounts[0]);
    }

    [Fact]
    public void SeveralNeighboursPerQueryFillTheClassFromFewerQueries()
    {
        var shift = new EmbeddingSearch(new EmbeddingSearchSettings(NeighboursPerQuery: 2)).Build(World().Context(4));
        Assert.Equal([2, 2], shift.Report.ClassCounts);
        Assert.Single(shift.Provenance.Where(p => p.Source == "pool:pool").Select(p => p.QueryId).Where((_, i) => shift.Images.Labels[i] == 0).Distinct());
    }

    [Fact]
    public void CostsAddUp()
    {
        var costs = new CostModel(EmbeddingGpuSeconds: 1, GpuSecondDollars: 1, SearchQueryDollars: 10);
        var shift = new EmbeddingSearch(new EmbeddingSearchSettings()).Build(World().Context(4, costs: costs));
        // 6 pool embeddings; 4 queries each embedded once (1) and searched once (10).
        Assert.Equal(6 + 4 * (1 + 10), shift.TotalCost, 9);
        Assert.Equal(4 * (1 + 1 + 10), shift.SampleCost, 9);
    }

    [Fact]
    public void MissingPoolAndForeignQueryClassesAreNamed()
    {
        var world = World();
        var e = Assert.Throws<BadInputException>(() => new EmbeddingSearch(new EmbeddingSearchSettings(Pool: "laion")).Build(world.Context(4)));
        Assert.Equal("laion", e.Item);
        Assert.Contains("pool", e.Message);

        var foreign = new LabelSet(["a", "b", "zebra"]);
        world.Sets["baseline"] = new ImageSet(new byte[4], [2], foreign, 1, 2, 2, ["qz"]);
        var e2 = Assert.Throws<BadInputException>(() => new EmbeddingSearch(new EmbeddingSearchSettings()).Build(world.Context(4)));
        Assert.Contains("zebra", e2.Message);
        Assert.Equal("baseline", e2.Item);
    }
}
