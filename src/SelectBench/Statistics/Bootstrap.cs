namespace SelectBench.Statistics;

/// <summary>Settings of the percentile bootstrap.</summary>
public sealed record BootstrapSettings(int Resamples = 1000, int Seed = 0, double Confidence = 0.95);

/// <summary>
/// Percentile bootstrap (Efron and Tibshirani 1993, ch. 13): resample the n sample indices with
/// replacement, recompute the statistic, and take the (1-c)/2 and (1+c)/2 quantiles of the replicates
/// (linear interpolation between order statistics, numpy's default "linear" method). The estimate is the
/// statistic on the full sample. Replicates that are NaN (for example a per-class precision when the
/// resample holds no prediction of that class) are dropped; N is the number of finite replicates.
/// </summary>
public static class Bootstrap
{
    public static Interval Percentile(int sampleCount, Func<int[], double> statistic, BootstrapSettings? settings = null)
    {
        settings ??= new BootstrapSettings();
        if (sampleCount <= 0) throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount, "The bootstrap needs at least one sample.");
        if (settings.Resamples < 1) throw new ArgumentOutOfRangeException(nameof(settings), settings.Resamples, "Resamples must be at least 1.");
        if (!(settings.Confidence > 0 && settings.Confidence < 1)) throw new ArgumentOutOfRangeException(nameof(settings), settings.Confidence, "Confidence must lie in (0, 1).");

        var all = new int[sampleCount];
        for (int i = 0; i < sampleCount; i++) all[i] = i;
        double estimate = statistic(all);

        var rng = new Random(settings.Seed);
        var replicates = new List<double>(settings.Resamples);
        for (int r = 0; r < settings.Resamples; r++)
        {
            // A fresh array per replicate: a statistic may keep the indices it was given.
            var indices = new int[sampleCount];
            for (int i = 0; i < sampleCount; i++) indices[i] = rng.Next(sampleCount);
            double value = statistic(indices);
            if (double.IsFinite(value)) replicates.Add(value);
        }
        if (replicates.Count == 0) return new Interval(estimate, double.NaN, double.NaN, 0);
        replicates.Sort();
        double alpha = (1 - settings.Confidence) / 2;
        return new Interval(estimate, Quantile(replicates, alpha), Quantile(replicates, 1 - alpha), replicates.Count);
    }

    /// <summary>Quantile of sorted values with linear interpolation (numpy.quantile, method "linear").</summary>
    internal static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
