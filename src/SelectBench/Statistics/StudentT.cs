namespace SelectBench.Statistics;

/// <summary>
/// Student's t distribution with <c>df</c> degrees of freedom, computed rather than tabulated:
/// the CDF through the regularized incomplete beta function (Abramowitz and Stegun 26.7.1:
/// P(|T| &gt; t) = I_{df/(df+t^2)}(df/2, 1/2)) and the quantile by bisection on that CDF.
/// </summary>
public static class StudentT
{
    /// <summary>P(|T| &gt; |t|): the two-sided tail probability.</summary>
    public static double TwoSidedTail(double t, double df)
    {
        if (df <= 0) throw new ArgumentOutOfRangeException(nameof(df), df, "Degrees of freedom must be positive.");
        if (double.IsNaN(t)) return double.NaN;
        if (double.IsInfinity(t)) return 0;
        return SpecialFunctions.RegularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
    }

    public static double Cdf(double t, double df)
    {
        double tail = TwoSidedTail(t, df) / 2;
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>The p-quantile (inverse CDF), p in (0, 1). Bisection to 1e-12 relative accuracy.</summary>
    public static double Quantile(double p, double df)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "Quantile needs 0 < p < 1.");
        if (p == 0.5) return 0;
        if (p < 0.5) return -Quantile(1 - p, df);
        // Find t >= 0 with two-sided tail 2(1 - p); the tail falls monotonically in t.
        double target = 2 * (1 - p);
        double lo = 0, hi = 1;
        while (TwoSidedTail(hi, df) > target) hi *= 2;
        for (int i = 0; i < 200 && hi - lo > 1e-12 * Math.Max(1, hi); i++)
        {
            double mid = (lo + hi) / 2;
            if (TwoSidedTail(mid, df) > target) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }
}
