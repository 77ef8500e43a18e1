using SelectBench.Statistics;

namespace SelectBench.Benchmark.Prediction;

/// <summary>How well one proxy predicted full training's ranking of the shifts (docs/prediction.md#scoring).</summary>
/// <param name="DecisionAccuracy">Share of shift pairs ordered like full training (<see cref="Statistics.DecisionAccuracy"/>), with a
/// percentile-bootstrap interval over seeds.</param>
/// <param name="KendallTau">Kendall's tau-b between the proxy's and full training's scores of the shifts (seed means).</param>
public sealed record ProxyAgreement(Interval DecisionAccuracy, double KendallTau);

/// <summary>
/// Scores a proxy against full training, both given per shift and per seed. Scores are "higher is better" (orient a
/// lower-is-better proxy first, <see cref="Orient"/>). A proxy without seeds (a metric, one column) is the same in every
/// resample; a proxy trained with the run's seeds (as many columns as full training) is resampled with it, seed i of
/// the proxy paired with seed i of full training.
/// </summary>
public static class ProxyScoring
{
    /// <param name="proxy">proxy[shift][seed]: one column, or one per seed of <paramref name="truth"/>.</param>
    /// <param name="truth">truth[shift][seed]: full training's score (base top-1) of each shift and seed.</param>
    public static ProxyAgreement Score(IReadOnlyList<double[]> proxy, IReadOnlyList<double[]> truth, BootstrapSettings? bootstrap = null)
    {
        if (proxy.Count != truth.Count) throw new ArgumentException($"The proxy scores {proxy.Count} shifts but full training {truth.Count}.");
        if (truth.Count == 0) throw new ArgumentException("There are no shifts to score.");
        int seeds = truth[0].Length;
        if (seeds == 0 || truth.Any(t => t.Length != seeds)) throw new ArgumentException("Every shift needs the same number (at least one) of full-training seeds.");
        bool paired = proxy.All(p => p.Length == seeds) && seeds > 1;
        if (!paired && proxy.Any(p => p.Length != 1))
            throw new ArgumentException($"A proxy has either one score per shift or one per seed ({seeds}).");

        double[] Means(IReadOnlyList<double[]> values, int[] seedIndices) => values
            .Select(v => v.Length == 1 ? v[0] : seedIndices.Average(i => v[i])).ToArray();

        var all = Enumerable.Range(0, seeds).ToArray();
        double tau = Correlation.KendallTauB(Means(proxy, all), Means(truth, all));
        var decision = Bootstrap.Percentile(seeds,
            indices => Statistics.DecisionAccuracy.Compute(Means(proxy, paired ? indices : all.Take(1).ToArray()), Means(truth, indices)),
            bootstrap);
        return new ProxyAgreement(decision, tau);
    }

    /// <summary>The values as "higher is better": negated when lower is better.</summary>
    public static double[] Orient(IEnumerable<double> values, bool lowerIsBetter) => values.Select(v => lowerIsBetter ? -v : v).ToArray();

    /// <summary>
    /// Ranks 1..n by descending score; tied scores share the best rank of their group ("1, 2, 2, 4"), NaN scores rank last.
    /// </summary>
    public static int[] Ranks(IReadOnlyList<double> scores)
    {
        var ranks = new int[scores.Count];
        for (int i = 0; i < scores.Count; i++)
        {
            int better = 0;
            for (int j = 0; j < scores.Count; j++)
                if (j != i && IsBetter(scores[j], scores[i])) better++;
            ranks[i] = better + 1;
        }
        return ranks;

        static bool IsBetter(double a, double b) => double.IsNaN(b) ? !double.IsNaN(a) : !double.IsNaN(a) && a > b;
    }
}
