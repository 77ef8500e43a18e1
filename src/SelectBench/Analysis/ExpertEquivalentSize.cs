using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Analysis;

/// <summary>
/// The "exchange rate" of docs/metrics.md (beyond the paper): train the expert recipe on fractions of the
/// expert shift, fit accuracy = a + b·ln(images) by least squares, and express any shift's accuracy as the
/// number of expert images that would give the same accuracy, n* = exp((acc − a) / b).
/// The interval is a percentile bootstrap that resamples both the fit points and the shift's per-seed
/// accuracies, so it carries the uncertainty of the curve and of the shift.
/// </summary>
public static class ExpertEquivalentSize
{
    public sealed record LogFit(double Intercept, double Slope, double MinSize, double MaxSize)
    {
        public double Predict(double images) => Intercept + Slope * Math.Log(images);

        /// <summary>Images for a given accuracy; NaN when the curve is flat or falling (no exchange rate exists).</summary>
        public double Invert(double accuracy) => Slope > 0 ? Math.Exp((accuracy - Intercept) / Slope) : double.NaN;
    }

    public sealed record Equivalent(double Images, double Low, double High, bool Extrapolated);

    /// <summary>Least-squares fit of accuracy against ln(size) over all (size, accuracy) points (several seeds per size welcome).</summary>
    public static LogFit Fit(IReadOnlyList<double> sizes, IReadOnlyList<double> accuracies)
    {
        if (sizes.Count != accuracies.Count) throw new ArgumentException("sizes and accuracies differ in length");
        if (sizes.Any(s => s <= 0)) throw new ArgumentException("sizes must be positive");
        if (sizes.Distinct().Count() < 2) throw new ArgumentException("the fit needs at least two distinct sizes");
        int n = sizes.Count;
        double mx = sizes.Average(Math.Log), my = accuracies.Average();
        double sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = Math.Log(sizes[i]) - mx;
            sxy += dx * (accuracies[i] - my);
            sxx += dx * dx;
        }
        double slope = sxy / sxx;
        return new LogFit(my - slope * mx, slope, sizes.Min(), sizes.Max());
    }

    /// <summary>Expert-equivalent images of a shift with a 95% bootstrap interval.</summary>
    public static Equivalent Estimate(IReadOnlyList<double> sizes, IReadOnlyList<double> accuracies,
        IReadOnlyList<double> shiftAccuracies, int resamples = 2000, int seed = 0)
    {
        if (shiftAccuracies.Count == 0) throw new ArgumentException("no accuracies for the shift");
        var fit = Fit(sizes, accuracies);
        double point = fit.Invert(shiftAccuracies.Average());
        var rng = new Random(seed);
        var draws = new List<double>(resamples);
        var s = new double[sizes.Count];
        var a = new double[sizes.Count];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < sizes.Count; i++)
            {
                int j = rng.Next(sizes.Count);
                s[i] = sizes[j];
                a[i] = accuracies[j];
            }
            if (s.Distinct().Count() < 2) continue;
            double mean = 0;
            for (int i = 0; i < shiftAccuracies.Count; i++) mean += shiftAccuracies[rng.Next(shiftAccuracies.Count)];
            double v = Fit(s, a).Invert(mean / shiftAccuracies.Count);
            if (double.IsFinite(v)) draws.Add(v);
        }
        draws.Sort();
        double low = draws.Count > 0 ? Bootstrap.Quantile(draws, 0.025) : double.NaN;
        double high = draws.Count > 0 ? Bootstrap.Quantile(draws, 0.975) : double.NaN;
        bool extrapolated = !(point >= fit.MinSize && point <= fit.MaxSize);
        return new Equivalent(point, low, high, extrapolated);
    }
}
