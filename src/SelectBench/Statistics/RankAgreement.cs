namespace SelectBench.Statistics;

/// <summary>
/// Kendall's tau-b and Spearman's rho between every pair of metric columns, across shifts
/// (<c>Kendall[i, j]</c> compares metric i with metric j; the diagonal is 1 when defined).
/// </summary>
public sealed record RankAgreementMatrix(IReadOnlyList<string> Metrics, double[,] Kendall, double[,] Spearman, int Shifts);

/// <summary>
/// Rank agreement between metrics over the shifts (docs/metrics.md, "Rank agreement"): does a cheap metric
/// (image quality, kNN) order the shifts like an expensive one (trained accuracy)? Signs follow the raw
/// values, so a lower-is-better metric such as FID agrees with accuracy through a negative coefficient.
/// Shifts where either metric is missing (NaN) are left out of that pair.
/// </summary>
public static class RankAgreement
{
    /// <param name="values">values[shift][metric], one row per shift, columns in the order of <paramref name="metrics"/>.</param>
    public static RankAgreementMatrix Compute(IReadOnlyList<string> metrics, IReadOnlyList<IReadOnlyList<double>> values)
    {
        int m = metrics.Count;
        foreach (var row in values)
            if (row.Count != m) throw new ArgumentException($"Every shift needs {m} metric values; one has {row.Count}.");
        var columns = Enumerable.Range(0, m).Select(j => values.Select(row => row[j]).ToArray()).ToArray();
        var kendall = new double[m, m];
        var spearman = new double[m, m];
        for (int i = 0; i < m; i++)
            for (int j = i; j < m; j++)
            {
                var (x, y) = Correlation.FinitePairs(columns[i], columns[j]);
                kendall[i, j] = kendall[j, i] = Correlation.KendallTauB(x, y);
                spearman[i, j] = spearman[j, i] = Correlation.Spearman(x, y);
            }
        return new RankAgreementMatrix(metrics, kendall, spearman, values.Count);
    }
}
