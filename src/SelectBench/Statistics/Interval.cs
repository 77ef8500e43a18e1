namespace SelectBench.Statistics;

/// <summary>
/// A point estimate with a 95% interval. <see cref="N"/> is the number of seeds (t interval), bootstrap
/// resamples (percentile bootstrap) or samples (binomial interval) behind it; the leaderboard writes these
/// fields as <c>mean</c>, <c>ci_low</c>, <c>ci_high</c>, <c>n</c> (docs/architecture.md#results-contract).
/// </summary>
public sealed record Interval(double Estimate, double Low, double High, int N)
{
    public double HalfWidth => (High - Low) / 2;

    /// <summary>A value without sampling spread (a count, a deterministic statistic): low = high = estimate.</summary>
    public static Interval Point(double value, int n = 1) => new(value, value, value, n);
    public bool Contains(double value) => value >= Low && value <= High;
}
