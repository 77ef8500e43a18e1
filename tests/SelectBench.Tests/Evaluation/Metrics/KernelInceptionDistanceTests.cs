using SelectBench.Evaluation.Metrics;

namespace SelectBench.Tests.Evaluation.Metrics;

public class KernelInceptionDistanceTests
{
    [Fact]
    public void HandComputedUnbiasedMmd()
    {
        // d = 1, k(x, y) = (x y + 1)^3; X = {0, 1}, Y = {1, 2}.
        // XX off-diagonal: 2 k(0,1) / 2 = 1.  YY: 2 k(1,2) / 2 = 27.  XY: (1 + 1 + 8 + 27) / 4 = 9.25.
        // MMD^2_u = 1 + 27 - 2 * 9.25 = 9.5 (one subset of both full sets).
        var result = KernelInceptionDistance.Compute(TestEmbeddings.Rows([0f], [1f]), TestEmbeddings.Rows([1f], [2f]),
            new KidSettings(Subsets: 1, SubsetSize: 2));
        Assert.Equal(9.5, result.Mean, 10);
        Assert.Equal(0, result.Std);
    }

    [Fact]
    public void SameDistributionIsNearZeroAndShiftedIsPositive()
    {
        var a = TestEmbeddings.Gaussian(400, 8, seed: 1);
        var b = TestEmbeddings.Gaussian(400, 8, seed: 2);
        var shifted = TestEmbeddings.Gaussian(400, 8, seed: 3, mean: Enumerable.Repeat(0.5, 8).ToArray());
        var settings = new KidSettings(Subsets: 20, SubsetSize: 200);
        var same = KernelInceptionDistance.Compute(a, b, settings);
        var different = KernelInceptionDistance.Compute(a, shifted, settings);
        Assert.InRange(same.Mean, -0.05, 0.05);
        Assert.True(different.Mean > 0.3, $"KID of shifted sets was {different.Mean}");
        Assert.True(different.Mean > 10 * Math.Abs(same.Mean));
    }

    [Fact]
    public void SubsetSizeIsClippedToTheSmallerSet() =>
        Assert.Equal(50, KernelInceptionDistance.Compute(TestEmbeddings.Gaussian(50, 4, 1), TestEmbeddings.Gaussian(80, 4, 2),
            new KidSettings(Subsets: 2)).SubsetSize);
}
