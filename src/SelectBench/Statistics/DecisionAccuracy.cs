namespace SelectBench.Statistics;

/// <summary>
/// Decision accuracy (Magnusson et al., "DataDecide: How to Predict Best Pretraining Data with Small Experiments",
/// AI2, 2025): the share of pairs of candidates that a cheap proxy orders the way the full experiment does. Both
/// inputs are "higher is better" scores, one per candidate (flip the sign of a lower-is-better proxy first).
/// <para>
/// Ties (docs/prediction.md#scoring): a pair the full experiment ties holds no decision and is left out; a pair the
/// proxy ties but the full experiment does not counts one half (a coin flip would choose right half the time).
/// NaN values leave out every pair they are in. No decidable pair gives NaN.
/// </para>
/// </summary>
public static class DecisionAccuracy
{
    public static double Compute(IReadOnlyList<double> proxy, IReadOnlyList<double> truth)
    {
        var (agree, pairs) = Count(proxy, truth);
        return pairs == 0 ? double.NaN : agree / pairs;
    }

    /// <summary>The credited agreements (halves for proxy ties) and the number of pairs the full experiment decides.</summary>
    public static (double Agreements, int Pairs) Count(IReadOnlyList<double> proxy, IReadOnlyList<double> truth)
    {
        if (proxy.Count != truth.Count) throw new ArgumentException($"The proxy scores {proxy.Count} candidates but the full experiment {truth.Count}.");
        double agree = 0;
        int pairs = 0;
        for (int i = 0; i < truth.Count; i++)
            for (int j = i + 1; j < truth.Count; j++)
            {
                if (!double.IsFinite(proxy[i]) || !double.IsFinite(proxy[j]) || !double.IsFinite(truth[i]) || !double.IsFinite(truth[j])) continue;
                int t = Math.Sign(truth[i] - truth[j]);
                if (t == 0) continue;
                pairs++;
                int p = Math.Sign(proxy[i] - proxy[j]);
                agree += p == t ? 1 : p == 0 ? 0.5 : 0;
            }
        return (agree, pairs);
    }
}
