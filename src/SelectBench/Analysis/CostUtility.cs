namespace SelectBench.Analysis;

/// <summary>
/// Cost-utility analysis (docs/metrics.md, beyond the paper): utility per unit cost and the Pareto
/// frontier of shifts, where a shift is on the frontier when no other shift is at most as costly and at
/// least as useful with one of the two strictly better.
/// </summary>
public static class CostUtility
{
    /// <summary>Utility divided by cost; +infinity for a free shift with positive utility.</summary>
    public static double UtilityPerCost(double utility, double cost) =>
        cost > 0 ? utility / cost : utility > 0 ? double.PositiveInfinity : 0;

    /// <summary>Indices of the Pareto-optimal points, ordered by increasing cost.</summary>
    public static int[] ParetoFrontier(IReadOnlyList<double> costs, IReadOnlyList<double> utilities)
    {
        if (costs.Count != utilities.Count) throw new ArgumentException("costs and utilities differ in length");
        var frontier = new List<int>();
        for (int i = 0; i < costs.Count; i++)
        {
            bool dominated = false;
            for (int j = 0; j < costs.Count && !dominated; j++)
            {
                if (i == j) continue;
                bool noWorse = costs[j] <= costs[i] && utilities[j] >= utilities[i];
                bool better = costs[j] < costs[i] || utilities[j] > utilities[i];
                dominated = noWorse && better;
            }
            if (!dominated) frontier.Add(i);
        }
        return frontier.OrderBy(i => costs[i]).ThenByDescending(i => utilities[i]).ToArray();
    }
}
