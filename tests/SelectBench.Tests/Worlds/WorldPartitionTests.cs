using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Tests.Worlds;

public class WorldPartitionTests
{
    private static void AssertPartition(int[] labels, int classes, int[][] parts, int[] expectedSizes, double tolerance)
    {
        int n = labels.Length;
        Assert.Equal(expectedSizes, parts.Select(p => p.Length));
        var all = parts.SelectMany(p => p).ToArray();
        Assert.Equal(Enumerable.Range(0, n), all.OrderBy(i => i));
        var classSizes = new int[classes];
        foreach (var l in labels) classSizes[l]++;
        for (int p = 0; p < parts.Length; p++)
        {
            Assert.True(parts[p].SequenceEqual(parts[p].Order()), $"part {p} is not ascending");
            var counts = new int[classes];
            foreach (var i in parts[p]) counts[labels[i]]++;
            for (int c = 0; c < classes; c++)
            {
                double ideal = n == 0 ? 0 : (double)classSizes[c] * parts[p].Length / n;
                Assert.True(Math.Abs(counts[c] - ideal) <= tolerance, $"part {p} class {c}: {counts[c]} vs ideal {ideal:F2}");
            }
        }
    }

    [Fact]
    public void FashionMnistTrainSplitsIntoDesignSizesWithEqualClassShares()
    {
        // 60,000 images, 6,000 per class: E/G/W/H = 20,000 / 10,000 / 25,000 / 5,000, each exactly 1/10 per class.
        var labels = Enumerable.Range(0, 60_000).Select(i => i % 10).ToArray();
        new Random(5).Shuffle(labels);
        var parts = WorldPartition.StratifiedSplit(labels, new WorldPartitionSettings());
        AssertPartition(labels, 10, parts, [20_000, 10_000, 25_000, 5_000], tolerance: 0);
    }

    [Fact]
    public void OtherSizesSplitInTheSameProportionsAndStayStratified()
    {
        // 1,200 equally frequent labels of 4 classes: 1200 x [1/3, 1/6, 5/12, 1/12] = 400, 200, 500, 100.
        var labels = Enumerable.Range(0, 1_200).Select(i => i % 4).ToArray();
        new Random(1).Shuffle(labels);
        var settings = new WorldPartitionSettings(Seed: 3);
        var parts = WorldPartition.StratifiedSplit(labels, settings);
        AssertPartition(labels, 4, parts, [400, 200, 500, 100], tolerance: 1);
        Assert.Equal(parts, WorldPartition.StratifiedSplit(labels, settings));
        Assert.NotEqual(parts[0], WorldPartition.StratifiedSplit(labels, settings with { Seed = 4 })[0]);
        // 130 equally frequent labels of 10 classes, other weights: 130 x [0.5, 0.2, 0.2, 0.1] = 65, 26, 26, 13.
        var small = Enumerable.Range(0, 130).Select(i => i % 10).ToArray();
        AssertPartition(small, 10, WorldPartition.StratifiedSplit(small, new WorldPartitionSettings(5, 2, 2, 1)), [65, 26, 26, 13], tolerance: 1);
    }

    private static ImageSet TinyTrain()
    {
        // 12 images of each Fashion-MNIST class, 28x28, each image filled with its index so parts can be traced.
        int n = 120;
        var pixels = new byte[n * 784];
        for (int i = 0; i < n; i++) pixels.AsSpan(i * 784, 784).Fill((byte)i);
        return new ImageSet(pixels, Enumerable.Range(0, n).Select(i => i % 10).ToArray(), LabelSet.FashionMnist, 1, 28, 28,
            Enumerable.Range(0, n).Select(i => $"train-{i}").ToArray());
    }

    [Fact]
    public void WorldPartsHaveTheirRolesAndPoolWHidesLabelsAndHoldsDistractors()
    {
        var train = TinyTrain();
        using var glyphs = new GlyphDistractors(warn: _ => { });
        var parts = WorldPartition.Split(train, new WorldPartitionSettings(Seed: 2), glyphs);
        // 120 x [1/3, 1/6, 5/12, 1/12] = 40, 20, 50, 10; W gets 20% of 50 = 10 distractors.
        Assert.Equal((40, 20, 60, 10), (parts.Expert.Count, parts.GeneratorTraining.Count, parts.WebPool.Count, parts.HeldOut.Count));
        Assert.All(new[] { parts.Expert, parts.GeneratorTraining, parts.HeldOut }, s => Assert.All(s.ClassCounts(), c => Assert.InRange(c, s.Count / 10 - 1, s.Count / 10 + 1)));

        var ids = parts.Expert.Ids.Concat(parts.GeneratorTraining.Ids).Concat(parts.WebPool.Ids).Concat(parts.HeldOut.Ids).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());

        var web = parts.WebPool;
        Assert.All(web.Labels, l => Assert.Equal(WorldPartition.HiddenLabel, l));
        var real = Enumerable.Range(0, web.Count).Where(i => web.Provenance![i].Source == "pool:W").ToArray();
        var fake = Enumerable.Range(0, web.Count).Where(i => web.Provenance![i].Source == GlyphDistractors.SourceName).ToArray();
        Assert.Equal((50, 10), (real.Length, fake.Length));
        foreach (var i in real)
        {
            int original = web.Image(i)[0];
            Assert.Equal(train.Labels[original], web.Provenance![i].TrueLabel);
            Assert.Equal($"train-{original}", web.Ids[i]);
        }
        Assert.All(fake, i => Assert.Equal(SampleProvenance.NotAClass, web.Provenance![i].TrueLabel));
        // Distractors are mixed in, not appended.
        Assert.True(fake.Min() < web.Count - fake.Length);
        Assert.All(Enumerable.Range(0, parts.Expert.Count), i => Assert.Equal(parts.Expert.Labels[i], parts.Expert.Provenance![i].TrueLabel));

        var again = WorldPartition.Split(train, new WorldPartitionSettings(Seed: 2), glyphs);
        Assert.Equal(web.Ids, again.WebPool.Ids);
        Assert.Equal(web.Pixels, again.WebPool.Pixels);
    }

    [Fact]
    public void DistractorsNeedARendererAndValidSettings()
    {
        var train = TinyTrain();
        var e = Assert.Throws<SelectBenchException>(() => WorldPartition.Split(train, new WorldPartitionSettings(), distractors: null));
        Assert.Contains("distractor_fraction", e.Message);
        var none = WorldPartition.Split(train, new WorldPartitionSettings(DistractorFraction: 0), distractors: null);
        Assert.Equal(50, none.WebPool.Count);
        var bad = Assert.Throws<SelectBenchException>(() => WorldPartition.Split(train, new WorldPartitionSettings(Web: -1), null));
        Assert.Contains("web", bad.Message);
    }
}
