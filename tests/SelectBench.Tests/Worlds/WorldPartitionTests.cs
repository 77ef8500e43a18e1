using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Tests.Worlds;

public class WorldPartitionTests
{
    [Fact]
    public void DefaultSizesAreDesignSizesFor60000()
    {
        Assert.Equal([20_000, 10_000, 25_000, 5_000], WorldPartition.PartSizes(60_000, new WorldPartitionSettings().Weights));
        // 10 / 3 = 3.33 each: one extra item, to the first part (equal remainders).
        Assert.Equal([4, 3, 3], WorldPartition.PartSizes(10, [1, 1, 1]));
        // 7 * [0.5, 0.3, 0.2] = 3.5, 2.1, 1.4: floors 3, 2, 1 and the extra to the largest remainder (0.5).
        Assert.Equal([4, 2, 1], WorldPartition.PartSizes(7, [5, 3, 2]));
    }

    private static void AssertStratifiedPartition(int[] labels, int classes, double[] weights, int[][] parts)
    {
        int n = labels.Length;
        var sizes = WorldPartition.PartSizes(n, weights);
        Assert.Equal(sizes, parts.Select(p => p.Length));
        var all = parts.SelectMany(p => p).ToArray();
        Assert.Equal(n, all.Length);
        Assert.Equal(Enumerable.Range(0, n), all.OrderBy(i => i));
        var classSizes = new int[classes];
        foreach (var l in labels) classSizes[l]++;
        for (int p = 0; p < parts.Length; p++)
        {
            var counts = new int[classes];
            foreach (var i in parts[p]) counts[labels[i]]++;
            for (int c = 0; c < classes; c++)
            {
                double ideal = n == 0 ? 0 : (double)classSizes[c] * sizes[p] / n;
                Assert.True(Math.Abs(counts[c] - ideal) <= 1, $"part {p} class {c}: {counts[c]} vs ideal {ideal:F2}");
            }
        }
    }

    [Fact]
    public void SplitIsDisjointCompleteAndStratifiedOnUnevenClasses()
    {
        int[] classSizes = [500, 300, 250, 150];
        var labels = classSizes.SelectMany((n, c) => Enumerable.Repeat(c, n)).ToArray();
        new Random(1).Shuffle(labels);
        var weights = new WorldPartitionSettings().Weights;
        var parts = WorldPartition.StratifiedSplit(labels, 4, weights, seed: 3);
        AssertStratifiedPartition(labels, 4, weights, parts);
        Assert.Equal([400, 200, 500, 100], parts.Select(p => p.Length));
        Assert.Equal(parts, WorldPartition.StratifiedSplit(labels, 4, weights, seed: 3));
        Assert.NotEqual(parts[0], WorldPartition.StratifiedSplit(labels, 4, weights, seed: 4)[0]);
    }

    [Fact]
    public void StratificationHoldsForRandomSizesAndWeights()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 200; trial++)
        {
            int classes = rng.Next(1, 8), parts = rng.Next(1, 6);
            var labels = Enumerable.Range(0, rng.Next(0, 300)).Select(_ => rng.Next(classes)).ToArray();
            var weights = Enumerable.Range(0, parts).Select(_ => (double)rng.Next(0, 10)).ToArray();
            if (weights.Sum() == 0) weights[0] = 1;
            AssertStratifiedPartition(labels, classes, weights, WorldPartition.StratifiedSplit(labels, classes, weights, trial));
        }
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
