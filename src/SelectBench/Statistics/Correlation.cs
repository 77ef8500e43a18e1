namespace SelectBench.Statistics;

/// <summary>
/// Correlation coefficients as scipy.stats defines them (pearsonr, spearmanr, kendalltau with the
/// default variant "b"). Undefined cases (fewer than two points, a constant input) give NaN, as scipy does.
/// </summary>
public static class Correlation
{
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        RequireSameLength(x, y);
        int n = x.Count;
        if (n < 2) return double.NaN;
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) return double.NaN;
        return Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }

    /// <summary>Spearman's rho: Pearson's r of the ranks, ties given their average rank.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        RequireSameLength(x, y);
        return Pearson(AverageRanks(x), AverageRanks(y));
    }

    /// <summary>
    /// Kendall's tau-b = (P - Q) / sqrt((P + Q + T_x)(P + Q + T_y)), with P concordant and Q discordant
    /// pairs, T_x pairs tied only in x, T_y pairs tied only in y (pairs tied in both count in neither).
    /// O(n^2): the inputs here are per-class columns (K &lt;= a few thousand) or per-shift metric columns.
    /// </summary>
    public static double KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        RequireSameLength(x, y);
        int n = x.Count;
        if (n < 2) return double.NaN;
        long concordant = 0, discordant = 0, tiedX = 0, tiedY = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                int sx = Math.Sign(x[i] - x[j]), sy = Math.Sign(y[i] - y[j]);
                if (sx == 0 && sy == 0) continue;
                if (sx == 0) tiedX++;
                else if (sy == 0) tiedY++;
                else if (sx == sy) concordant++;
                else discordant++;
            }
        double denominator = Math.Sqrt((double)(concordant + discordant + tiedX) * (concordant + discordant + tiedY));
        return denominator == 0 ? double.NaN : (concordant - discordant) / denominator;
    }

    /// <summary>Ranks 1..n; tied values share the mean of the ranks they span (scipy.stats.rankdata "average").</summary>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        int n = values.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).ToArray();
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && values[order[end + 1]] == values[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int i = start; i <= end; i++) ranks[order[i]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>Keeps only the positions where both values are finite (a NaN precision of a never-predicted class).</summary>
    public static (double[] X, double[] Y) FinitePairs(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        RequireSameLength(x, y);
        var keep = Enumerable.Range(0, x.Count).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
        return (keep.Select(i => x[i]).ToArray(), keep.Select(i => y[i]).ToArray());
    }

    static void RequireSameLength(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Correlated columns differ in length ({x.Count} vs {y.Count}).");
    }
}
