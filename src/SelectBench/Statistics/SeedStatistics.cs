using SelectBench.Common;

namespace SelectBench.Statistics;

/// <summary>
/// Intervals and tests over a handful of repeated measurements (one value per training seed), used by
/// the leaderboard for "mean with a 95% interval" and "paired comparison between shifts" (/// docs/metrics.md, "Seeds and intervals").
/// </summary>
public static class SeedStatistics
{
    /// <summary>
    /// Student-t 95% interval of the mean: mean +- t_{0.975, n-1} * s / sqrt(n), s with n - 1.
    /// One value gives a degenerate interval [x, x] (no spread can be estimated; N = 1 says so).
    /// </summary>
    public static Interval TInterval(IReadOnlyList<double> values, double confidence = 0.95)
    {
        int n = values.Count;
        if (n == 0) throw new ArgumentException("A t interval needs at least one value.", nameof(values));
        double mean = Mean(values);
        if (n == 1) return new Interval(mean, mean, mean, 1);
        double se = StandardDeviation(values, mean) / Math.Sqrt(n);
        double t = StudentT.Quantile(1 - (1 - confidence) / 2, n - 1);
        return new Interval(mean, mean - t * se, mean + t * se, n);
    }

    /// <summary>
    /// Two-sided p-value of the paired t-test of H0: mean(a - b) = 0 (scipy.stats.ttest_rel).
    /// Identical pairs (all differences equal) give p = 1 when the differences are all 0 and p = 0
    /// otherwise, the limits of the statistic as the spread goes to 0.
    /// </summary>
    public static double PairedTTestPValue(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"Paired samples differ in length ({a.Count} vs {b.Count}).");
        int n = a.Count;
        if (n < 2) throw new ArgumentException("A paired t-test needs at least two pairs.", nameof(a));
        var d = new double[n];
        for (int i = 0; i < n; i++) d[i] = a[i] - b[i];
        double mean = Mean(d);
        double sd = StandardDeviation(d, mean);
        if (sd == 0) return mean == 0 ? 1 : 0;
        double t = mean / (sd / Math.Sqrt(n));
        return StudentT.TwoSidedTail(t, n - 1);
    }

    /// <summary>
    /// Normal-approximation (Wald) interval of an accuracy: acc +- 1.96 sqrt(acc (1 - acc) / n), clipped
    /// to [0, 1]. This is the interval the SELECT paper prints for transfer accuracies.
    /// </summary>
    public static Interval BinomialInterval(double accuracy, int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "A binomial interval needs n > 0 trials.");
        if (!(accuracy >= 0 && accuracy <= 1)) throw new ArgumentOutOfRangeException(nameof(accuracy), accuracy, "Accuracy must lie in [0, 1].");
        double half = 1.96 * Math.Sqrt(accuracy * (1 - accuracy) / n);
        return new Interval(accuracy, Math.Max(0, accuracy - half), Math.Min(1, accuracy + half), n);
    }

    internal static double Mean(IReadOnlyList<double> v)
    {
        double s = 0;
        for (int i = 0; i < v.Count; i++) s += v[i];
        return s / v.Count;
    }

    /// <summary>Sample standard deviation (divisor n - 1).</summary>
    internal static double StandardDeviation(IReadOnlyList<double> v, double mean)
    {
        double s = 0;
        for (int i = 0; i < v.Count; i++) s += (v[i] - mean) * (v[i] - mean);
        return Math.Sqrt(s / (v.Count - 1));
    }
}
