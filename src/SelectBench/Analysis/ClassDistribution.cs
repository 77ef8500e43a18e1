using SelectBench.Common;

namespace SelectBench.Analysis;

/// <summary>
/// Settings of the class-distribution analytics. <c>NominalPerClass</c> is the balanced size the shift
/// aims at (N / K); the long-tail threshold defaults to round(500 / 1300 x nominal), the SELECT paper's
/// LT@500 for ImageNet's nominal 1300 images per class, scaled to other worlds.
/// </summary>
public sealed record ClassDistributionSettings(int NominalPerClass = 1300, int? LongTailThreshold = null, double TopClassFraction = 0.05)
{
    /// <summary>The paper's LT threshold (500) and the nominal class size it refers to (1300).</summary>
    public const int PaperThreshold = 500, PaperNominalPerClass = 1300;

    public int EffectiveLongTailThreshold =>
        LongTailThreshold ?? (int)Math.Round((double)PaperThreshold / PaperNominalPerClass * NominalPerClass, MidpointRounding.AwayFromZero);
}

/// <summary>Imbalance statistics of one shift's class counts (docs/metrics.md, "Dataset analytics").</summary>
public sealed record ClassDistributionStats(
    int Classes,
    long Images,
    int Coverage,
    double CoverageFraction,
    int LongTailThreshold,
    int LongTailClasses,
    int TopClasses,
    double LargestShare,
    double ImbalanceRatio,
    double Gini,
    double NormalisedEntropy);

/// <summary>
/// Coverage, LT@t, LS@5pct, imbalance ratio, Gini and normalised entropy from per-class image counts
/// (one count per class of the label set, zeros included). Definitions, after the SELECT paper
/// (Feuer et al. 2024, arXiv 2410.05057, section "Dataset analytics"):
/// <list type="bullet">
/// <item>coverage: classes with at least one image;</item>
/// <item>LT@t: classes with fewer than t images; empty classes count (they have fewer than t);</item>
/// <item>LS@5pct: share of all images held by the ceil(0.05 K) classes with most images (at least one
/// class; 50 of ImageNet's 1000, 1 of FashionMNIST's 10);</item>
/// <item>imbalance ratio: max count / min nonzero count; empty classes are left out (they are reported
/// by coverage; with them the ratio would be infinite);</item>
/// <item>Gini: sum_i sum_j |c_i - c_j| / (2 K^2 mean), over all K classes, zeros included (0 balanced,
/// (K - 1) / K when one class holds everything);</item>
/// <item>normalised entropy: H(c / N) / log K over all K classes (1 balanced; 1 for K = 1 by convention).</item>
/// </list>
/// </summary>
public static class ClassDistribution
{
    public static ClassDistributionStats Compute(IReadOnlyList<int> counts, ClassDistributionSettings? settings = null)
    {
        settings ??= new ClassDistributionSettings();
        int k = counts.Count;
        if (k == 0) throw new BadInputException("class counts", "are empty; pass one count per class of the label set.");
        if (counts.Any(c => c < 0)) throw new BadInputException("class counts", "contain a negative count.");
        long total = counts.Sum(c => (long)c);
        if (total == 0) throw new BadInputException("class counts", "sum to zero: the shift is empty. Curate it again or check its source.");
        if (!(settings.TopClassFraction > 0 && settings.TopClassFraction <= 1))
            throw new BadInputException("top_class_fraction", $"is {settings.TopClassFraction}; it must lie in (0, 1].");

        int threshold = settings.EffectiveLongTailThreshold;
        int coverage = counts.Count(c => c > 0);
        int longTail = counts.Count(c => c < threshold);

        int top = Math.Max(1, (int)Math.Ceiling(settings.TopClassFraction * k - 1e-9));
        long topImages = counts.OrderByDescending(c => c).Take(top).Sum(c => (long)c);

        int maxCount = counts.Max();
        int minNonzero = counts.Where(c => c > 0).Min();

        return new ClassDistributionStats(k, total, coverage, (double)coverage / k, threshold, longTail, top,
            (double)topImages / total, (double)maxCount / minNonzero, Gini(counts), NormalisedEntropy(counts));
    }

    /// <summary>
    /// Gini coefficient via the sorted form G = 2 sum_i i x_(i) / (K sum x) - (K + 1) / K, i = 1..K
    /// ascending, which equals the mean absolute difference over twice the mean.
    /// </summary>
    public static double Gini(IReadOnlyList<int> counts)
    {
        var sorted = counts.Select(c => (double)c).Order().ToArray();
        int k = sorted.Length;
        double total = sorted.Sum();
        if (total == 0) return 0;
        double weighted = 0;
        for (int i = 0; i < k; i++) weighted += (i + 1) * sorted[i];
        return 2 * weighted / (k * total) - (k + 1.0) / k;
    }

    public static double NormalisedEntropy(IReadOnlyList<int> counts)
    {
        int k = counts.Count;
        if (k == 1) return 1;
        double total = counts.Sum(c => (double)c);
        double h = 0;
        foreach (int c in counts)
            if (c > 0) { double p = c / total; h -= p * Math.Log(p); }
        return h / Math.Log(k);
    }
}
