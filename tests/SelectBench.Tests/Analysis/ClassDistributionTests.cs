using SelectBench.Analysis;
using SelectBench.Common;

namespace SelectBench.Tests.Analysis;

public class ClassDistributionTests
{
    static readonly int[] Counts = [100, 50, 50, 20, 10, 10, 5, 5, 0, 0];

    [Fact]
    public void CraftedCountsByHand()
    {
        var s = ClassDistribution.Compute(Counts, new ClassDistributionSettings(LongTailThreshold: 20));
        Assert.Equal(10, s.Classes);
        Assert.Equal(250, s.Images);
        Assert.Equal(8, s.Coverage);
        Assert.Equal(0.8, s.CoverageFraction, 12);
        Assert.Equal(6, s.LongTailClasses);        // 10, 10, 5, 5, 0, 0 are below 20
        Assert.Equal(1, s.TopClasses);             // ceil(0.05 x 10)
        Assert.Equal(100.0 / 250, s.LargestShare, 12);
        Assert.Equal(100.0 / 5, s.ImbalanceRatio, 12);   // zeros left out
        // Gini: sum |c_i - c_j| = 15200 over 2 K^2 mean = 2 x 100 x 25 = 5000 -> 0.608 (sorted form agrees).
        Assert.Equal(0.608, s.Gini, 12);
        Assert.Equal(0.7063108071, s.NormalisedEntropy, 9);
    }

    [Theory]
    [InlineData(1300, 500)]
    [InlineData(1000, 385)]   // 384.6
    [InlineData(13, 5)]
    [InlineData(2000, 769)]   // 769.2
    public void DefaultLongTailThresholdScalesThePapersFiveHundred(int nominal, int expected) =>
        Assert.Equal(expected, new ClassDistributionSettings(NominalPerClass: nominal).EffectiveLongTailThreshold);

    [Theory]
    [InlineData(1000, 50)]
    [InlineData(800, 40)]
    [InlineData(21, 2)]
    [InlineData(20, 1)]
    [InlineData(3, 1)]
    public void TopFivePercentIsCeilOfFivePercentOfClasses(int classes, int expected) =>
        Assert.Equal(expected, ClassDistribution.Compute(Enumerable.Repeat(1, classes).ToArray()).TopClasses);

    [Fact]
    public void BalancedAndConcentratedExtremes()
    {
        var balanced = ClassDistribution.Compute([7, 7, 7, 7]);
        Assert.Equal(0, balanced.Gini, 12);
        Assert.Equal(1, balanced.NormalisedEntropy, 12);
        Assert.Equal(1, balanced.ImbalanceRatio);
        var concentrated = ClassDistribution.Compute([0, 0, 9, 0]);
        Assert.Equal(0.75, concentrated.Gini, 12);   // (K - 1) / K
        Assert.Equal(0, concentrated.NormalisedEntropy, 12);
        Assert.Equal(1, concentrated.Coverage);
    }

    [Fact]
    public void EmptyShiftIsAClearError() =>
        Assert.Contains("empty", Assert.Throws<BadInputException>(() => ClassDistribution.Compute([0, 0])).Message);
}
