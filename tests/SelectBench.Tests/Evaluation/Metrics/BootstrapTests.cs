using FsCheck.Xunit;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Tests.Evaluation.Metrics;

public class BootstrapTests
{
    static Func<int[], double> MeanOf(double[] values) => idx => idx.Average(i => values[i]);

    [Fact]
    public void IntervalOfAMeanIsCloseToTheNormalInterval()
    {
        // Mean of 0..99: 49.5, standard error 28.87 / 10 = 2.887, normal 95% half-width 5.66.
        var values = Enumerable.Range(0, 100).Select(i => (double)i).ToArray();
        var interval = Bootstrap.Percentile(values.Length, MeanOf(values), new BootstrapSettings(Resamples: 2000, Seed: 1));
        Assert.Equal(49.5, interval.Estimate, 10);
        Assert.InRange(interval.Low, 49.5 - 5.66 - 0.8, 49.5 - 5.66 + 0.8);
        Assert.InRange(interval.High, 49.5 + 5.66 - 0.8, 49.5 + 5.66 + 0.8);
        Assert.Equal(2000, interval.N);
    }

    [Fact]
    public void SameSeedSameInterval()
    {
        var values = new double[] { 0, 1, 1, 0, 1, 1, 1, 0 };
        var a = Bootstrap.Percentile(values.Length, MeanOf(values), new BootstrapSettings(Seed: 7));
        var b = Bootstrap.Percentile(values.Length, MeanOf(values), new BootstrapSettings(Seed: 7));
        Assert.Equal(a, b);
    }

    [Fact]
    public void NaNReplicatesAreDropped()
    {
        // A statistic undefined when sample 0 is absent from the resample: about (1 - 1/n)^n of replicates.
        var interval = Bootstrap.Percentile(3, idx => idx.Contains(0) ? 1 : double.NaN, new BootstrapSettings(Resamples: 500));
        Assert.InRange(interval.N, 300, 400);   // expected 500 (1 - (2/3)^3) = 352
        Assert.Equal(1, interval.Low);
    }

    [Property(MaxTest = 30)]
    public bool AccuracyIntervalStaysInUnitRange(bool[] correct)
    {
        if (correct.Length == 0) return true;
        var interval = Bootstrap.Percentile(correct.Length, idx => idx.Average(i => correct[i] ? 1.0 : 0.0), new BootstrapSettings(Resamples: 50));
        return interval.Low >= 0 && interval.High <= 1 && interval.Low <= interval.High;
    }
}
