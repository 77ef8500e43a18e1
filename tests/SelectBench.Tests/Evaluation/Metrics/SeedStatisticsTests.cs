using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Tests.Evaluation.Metrics;

public class SeedStatisticsTests
{
    [Theory]
    // Two-sided 95% critical values of Student's t from any printed table (e.g. NIST/SEMATECH handbook 1.3.6.7.2).
    [InlineData(1, 12.7062047)]
    [InlineData(2, 4.3026527)]
    [InlineData(4, 2.7764451)]
    [InlineData(10, 2.2281389)]
    [InlineData(30, 2.0422725)]
    [InlineData(1000, 1.9623391)]
    public void TQuantileMatchesTable(int df, double expected) =>
        Assert.Equal(expected, StudentT.Quantile(0.975, df), 1e-6);

    [Fact]
    public void TCdfOfOneDegreeIsCauchy()
    {
        // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/pi.
        foreach (double t in new[] { -3.0, -0.5, 0, 1, 7 })
            Assert.Equal(0.5 + Math.Atan(t) / Math.PI, StudentT.Cdf(t, 1), 10);
    }

    [Fact]
    public void TIntervalOfOneToFive()
    {
        // mean 3, s = sqrt(2.5), se = s / sqrt(5) = 0.7071068, t_{0.975,4} = 2.7764451.
        var interval = SeedStatistics.TInterval([1, 2, 3, 4, 5]);
        Assert.Equal(3, interval.Estimate, 12);
        Assert.Equal(3 - 2.7764451 * 0.70710678, interval.Low, 6);
        Assert.Equal(3 + 2.7764451 * 0.70710678, interval.High, 6);
        Assert.Equal(5, interval.N);
    }

    [Fact]
    public void PairedTTestMatchesNumericIntegration()
    {
        // Differences 1..5: t = 3 / (sqrt(2.5)/sqrt(5)) = 4.2426407, df 4. The two-sided tail
        // 0.0132356 was computed by Simpson integration of the t density (scipy.stats.ttest_rel agrees).
        double p = SeedStatistics.PairedTTestPValue([2, 4, 6, 8, 10], [1, 2, 3, 4, 5]);
        Assert.Equal(0.0132356, p, 6);
        Assert.Equal(0.0733880, StudentT.TwoSidedTail(2.0, 10), 6);
        Assert.Equal(0.3910022, StudentT.TwoSidedTail(1.0, 3), 6);
    }

    [Fact]
    public void PairedTTestOfIdenticalRunsIsOne() =>
        Assert.Equal(1, SeedStatistics.PairedTTestPValue([0.5, 0.6, 0.7], [0.5, 0.6, 0.7]));

    [Fact]
    public void BinomialIntervalIsTheWaldInterval()
    {
        var interval = SeedStatistics.BinomialInterval(0.8, 100);
        Assert.Equal(0.8 - 0.0784, interval.Low, 12);
        Assert.Equal(0.8 + 0.0784, interval.High, 12);
        Assert.Equal(1.0, SeedStatistics.BinomialInterval(1.0, 10).High);
    }
}
