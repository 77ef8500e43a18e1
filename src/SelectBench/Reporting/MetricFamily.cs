using SelectBench.Evaluation.Suite;

namespace SelectBench.Reporting;

/// <summary>
/// A metric family drawn as one chart of the report (a panel per unit, <see cref="MetricPanel"/>). Each registered
/// metric declares its family (<see cref="MetricDeclaration.Family"/> and <see cref="MetricDeclaration.Panels"/>);
/// the names are the stable leaderboard metric names it writes (docs/metrics.md).
/// </summary>
public sealed record MetricFamily(string Title, IReadOnlyList<MetricPanel> Panels)
{
    /// <summary>Every registered metric's family, in report order.</summary>
    public static IReadOnlyList<MetricFamily> All =>
        EvalMetrics.All.Select(m => new MetricFamily(m.Declaration.Family, m.Declaration.Panels)).ToList();
}
