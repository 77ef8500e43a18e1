using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class StratifiedSplitterTests
{
    private static int[] Labels(params int[] perClass) =>
        perClass.SelectMany((n, c) => Enumerable.Repeat(c, n)).ToArray();

    [Fact]
    public void FashionMnistPartitionIsExactPerClass()
    {
        // 10 classes x 600 (a tenth of Fashion-MNIST), parts E/G/W/H in the world's 20/10/25/5 proportions.
        var labels = Labels(Enumerable.Repeat(600, 10).ToArray());
        var parts = new[] { SplitPart.OfSize("E", 2000), SplitPart.OfSize("G", 1000), SplitPart.OfSize("W", 2500), SplitPart.Rest("H") };
        var split = StratifiedSplitter.Split(labels, parts, seed: 7);
        var expected = new Dictionary<string, int> { ["E"] = 200, ["G"] = 100, ["W"] = 250, ["H"] = 50 };
        foreach (var (name, perClass) in expected)
        {
            var counts = new int[10];
            foreach (var i in split[name]) counts[labels[i]]++;
            Assert.All(counts, c => Assert.Equal(perClass, c));
        }
        // A partition: every sample exactly once.
        Assert.Equal(Enumerable.Range(0, 6000), split.Values.SelectMany(v => v).Order());
    }

    [Fact]
    public void SameSeedSameResultOtherSeedOtherResult()
    {
        var labels = Labels(37, 50, 13);
        var parts = new[] { SplitPart.OfFraction("a", 0.3), SplitPart.Rest("b") };
        var x = StratifiedSplitter.Split(labels, parts, 1);
        var y = StratifiedSplitter.Split(labels, parts, 1);
        var z = StratifiedSplitter.Split(labels, parts, 2);
        Assert.Equal(x["a"], y["a"]);
        Assert.NotEqual(x["a"], z["a"]);
    }

    [Fact]
    public void UnevenClassesStayWithinOneOfProportional()
    {
        var labels = Labels(37, 50, 13); // N = 100
        var split = StratifiedSplitter.Split(labels, [SplitPart.OfFraction("a", 0.3), SplitPart.Rest("b")], 3);
        Assert.Equal(30, split["a"].Length);
        Assert.Equal(70, split["b"].Length);
        int[] n = [37, 50, 13];
        for (int c = 0; c < 3; c++)
        {
            int inA = split["a"].Count(i => labels[i] == c);
            Assert.InRange(inA, Math.Floor(0.3 * n[c]) - 1, Math.Ceiling(0.3 * n[c]) + 1);
        }
    }

    [Fact]
    public void FractionsUseLargestRemainder()
    {
        // 10 samples, thirds: exact 3.33 each; the rounded total is 10, so one part gets 4 (the first on ties).
        Assert.Equal([4, 3, 3], StratifiedSplitter.PartSizes(
            [SplitPart.OfFraction("a", 1 / 3.0), SplitPart.OfFraction("b", 1 / 3.0), SplitPart.OfFraction("c", 1 / 3.0)], 10));
        Assert.Throws<SelectBenchException>(() => StratifiedSplitter.PartSizes([SplitPart.OfSize("a", 11)], 10));
        Assert.Throws<SelectBenchException>(() => StratifiedSplitter.PartSizes([SplitPart.Rest("a"), SplitPart.Rest("b")], 10));
    }

    [Fact]
    public void BalancedSubsampleGivesNOverKPerClassAndSeededRemainder()
    {
        var labels = Labels(30, 40, 50, 60);
        var pick = ClassBalanced.BalancedSubsample(labels, 4, 42, seed: 5);
        Assert.Equal(42, pick.Length);
        Assert.Equal(pick.Length, pick.Distinct().Count());
        var counts = new int[4];
        foreach (var i in pick) counts[labels[i]]++;
        Assert.All(counts, c => Assert.InRange(c, 10, 11));
        Assert.Equal(2, counts.Count(c => c == 11));
        Assert.Equal(pick, ClassBalanced.BalancedSubsample(labels, 4, 42, seed: 5));
        var e = Assert.Throws<SelectBenchException>(() => ClassBalanced.PerClass(labels, 4, 31, 0));
        Assert.Contains("Class 0 has 30", e.Message);
    }

    [Fact]
    public void SubsampleOfOneClassDoesNotDependOnOtherClasses()
    {
        // Per-class generators: adding samples of class 1 leaves class 0's choice unchanged.
        var a = ClassBalanced.PerClass(Labels(20, 5), 2, 3, seed: 9).Where(i => i < 20);
        var b = ClassBalanced.PerClass(Labels(20, 9), 2, 3, seed: 9).Where(i => i < 20);
        Assert.Equal(a, b);
    }
}

public class StratifiedSplitterProperties
{
    [FsCheck.Xunit.Property(MaxTest = 60)]
    public bool BalancedLabelsGiveAPartitionWithinOneOfTheShare(byte classes, byte perClass, ushort cut, int seed)
    {
        int k = classes % 9 + 2, n = perClass % 40 + 1, total = k * n;
        int first = cut % (total + 1);
        var labels = Enumerable.Range(0, total).Select(i => i % k).ToArray();
        var split = StratifiedSplitter.Split(labels, [SplitPart.OfSize("a", first), SplitPart.Rest("b")], seed);
        var all = split["a"].Concat(split["b"]).Order().ToArray();
        if (!all.SequenceEqual(Enumerable.Range(0, total)) || split["a"].Length != first) return false;
        for (int c = 0; c < k; c++)
        {
            int inA = split["a"].Count(i => labels[i] == c);
            if (Math.Abs(inA - (double)first / k) >= 1.0 + 1e-9) return false;
        }
        return true;
    }
}
