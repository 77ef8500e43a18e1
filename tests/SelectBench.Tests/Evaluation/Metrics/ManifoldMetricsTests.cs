using FsCheck.Xunit;
using SelectBench.Evaluation.Metrics;

namespace SelectBench.Tests.Evaluation.Metrics;

public class ManifoldMetricsTests
{
    [Fact]
    public void IdenticalSetsScoreOne()
    {
        var x = TestEmbeddings.Gaussian(60, 6, seed: 5);
        var r = ManifoldMetrics.Compute(x, x, nearestK: 3);
        Assert.Equal(1, r.Precision);
        Assert.Equal(1, r.Recall);
        Assert.Equal(1, r.Coverage);
        // Each real ball holds its centre and k - 1 others strictly inside: n k memberships over n points.
        Assert.Equal(1, r.Density, 10);
    }

    [Fact]
    public void FarApartSetsScoreZero()
    {
        var real = TestEmbeddings.Gaussian(40, 4, seed: 6);
        var fake = TestEmbeddings.Gaussian(40, 4, seed: 7, mean: [100, 100, 100, 100]);
        var r = ManifoldMetrics.Compute(real, fake, nearestK: 3);
        Assert.Equal(new ManifoldMetricsResult(0, 0, 0, 0, 3), r);
    }

    [Fact]
    public void HandComputedOneDimensionalCase()
    {
        // Real {0..4}, k = 1: every real radius is 1. Fake {0.5, 2.2, 3.9, 10, 100}: radii 1.7, 1.7, 1.7, 6.1, 90.
        // Precision: 0.5, 2.2, 3.9 lie within 1 of a real point -> 3/5.
        // Density: each of those lies in two real balls -> 6 / 5 / 1 = 1.2.
        // Recall: every real point lies within 1.7 of 0.5, 2.2 or 3.9 -> 1. Coverage: nearest fake within 1 -> 1.
        var real = TestEmbeddings.Rows([0f], [1f], [2f], [3f], [4f]);
        var fake = TestEmbeddings.Rows([0.5f], [2.2f], [3.9f], [10f], [100f]);
        var r = ManifoldMetrics.Compute(real, fake, nearestK: 1);
        Assert.Equal(0.6, r.Precision, 10);
        Assert.Equal(1.2, r.Density, 10);
        Assert.Equal(1, r.Recall, 10);
        Assert.Equal(1, r.Coverage, 10);
    }

    [Property(MaxTest = 10)]
    public bool RatesLieInTheUnitIntervalAndDensityIsNonNegative(int seed)
    {
        var real = TestEmbeddings.Gaussian(30, 3, seed);
        var fake = TestEmbeddings.Gaussian(25, 3, seed + 1, mean: [new Random(seed).NextDouble() * 3, 0, 0]);
        var r = ManifoldMetrics.Compute(real, fake, nearestK: 3);
        return r.Precision is >= 0 and <= 1 && r.Recall is >= 0 and <= 1 && r.Coverage is >= 0 and <= 1 && r.Density >= 0;
    }
}
