using SelectBench.Benchmark;
using SelectBench.Evaluation.Suite;

namespace SelectBench.Reporting;

/// <summary>
/// One column of the report's leaderboard table (docs/report.md): its header, whether it is a key column (shown before
/// the "all columns" toggle), and how to fill its cell for a shift. <see cref="For"/> lists them all; adding a column
/// to the HTML leaderboard is adding one line there. (leaderboard.md, .csv and .json are written by
/// <see cref="Leaderboard"/> and do not change.)
/// </summary>
/// <param name="HigherIsBetter">The first click on the header sorts largest first.</param>
public sealed record LeaderboardColumn(
    string Header,
    Func<BenchmarkResults, LeaderboardEntry, SortableCell> Cell,
    bool Key = false,
    bool Numeric = true,
    string? Tooltip = null,
    bool HigherIsBetter = false)
{
    /// <summary>
    /// The columns, key ones first: rank, shift, cost, the primary metric and the first headline metric each registered
    /// metric declares (<see cref="MetricDeclaration.Headline"/>, one per family), and the expert-equivalent size. Behind
    /// the toggle: strategy, images, classes, the other headline metrics, the p-value, and every other metric of the run.
    /// With <paramref name="predictedRanks"/> (a `selectbench predict` of the run, docs/prediction.md), a key column
    /// "predicted rank" follows the rank.
    /// </summary>
    public static IReadOnlyList<LeaderboardColumn> For(BenchmarkResults results, IReadOnlyDictionary<string, int>? predictedRanks = null)
    {
        var board = results.Leaderboard;
        var present = board.Shifts.SelectMany(s => s.Metrics.Keys).ToHashSet(StringComparer.Ordinal);
        var headlines = EvalMetrics.All.Select(m => m.Declaration.Headline).ToList();
        var key = headlines.Where(h => h.Count > 0).Select(h => h[0])
            .Prepend(board.PrimaryMetric).Append(Leaderboard.ExpertEquivalentImagesKey)
            .Distinct().Where(present.Contains).ToList();
        var more = BenchmarkReport.KeyMetrics.Where(m => present.Contains(m) && !key.Contains(m)).ToList();
        var rest = board.MetricNames().Where(m => !key.Contains(m) && !more.Contains(m)).ToList();
        string reference = board.ReferenceShift ?? "reference";
        return
        [
            // Sorted by position on the leaderboard: the same order as the rank, with tied ranks in the leaderboard's order.
            new("rank", (r, s) => new SortableCell(s.TiedWith.Count > 0 ? $"{s.Rank} ≈" : BenchmarkReport.Int(s.Rank), Position(r, s),
                    Tooltip: s.TiedWith.Count > 0 ? $"tied with {string.Join(", ", s.TiedWith)}" : null),
                Key: true, Tooltip: Leaderboard.RankRule(board.PrimaryMetric)),
            .. predictedRanks is { Count: > 0 } predicted
                ? [new LeaderboardColumn("predicted rank", (_, s) => predicted.TryGetValue(s.Name, out var p)
                        ? new SortableCell(BenchmarkReport.Int(p), p) : new SortableCell("–"), Key: true,
                    Tooltip: "The shift's rank by the cheap proxy `selectbench predict` chose (section \"Predicting the ranking\").")]
                : Array.Empty<LeaderboardColumn>(),
            new("shift", (_, s) => SortableCell.Label(s.Name), Key: true, Numeric: false, Tooltip: "The curated training set."),
            new("cost ($)", (_, s) => new SortableCell(BenchmarkReport.Money(s.Cost), Finite(s.Cost)), Key: true,
                Tooltip: "Cost of the shift in US dollars from the cost model (lower is better)."),
            .. key.Select(m => Metric(m, key: true)),
            new("strategy", (_, s) => SortableCell.Label(s.Strategy), Numeric: false),
            new("images", (_, s) => new SortableCell(BenchmarkReport.Images(s.Images), s.Images), HigherIsBetter: true),
            new("classes", (_, s) => new SortableCell(BenchmarkReport.Int(s.ClassesPresent), s.ClassesPresent), HigherIsBetter: true),
            .. more.Select(m => Metric(m, key: false)),
            new($"p vs {reference}", (_, s) => new SortableCell(s.PValueVsReference is { } p ? BenchmarkReport.PValue(p) : "–", s.PValueVsReference),
                Tooltip: $"Paired p-value of the shift against {reference} on {board.PrimaryMetric} (shown, but it does not decide ties)."),
            .. rest.Select(m => Metric(m, key: false)),
        ];
    }

    /// <summary>A metric's column: "mean" with its 95% interval under it, sorted by the mean.</summary>
    public static LeaderboardColumn Metric(string metric, bool key) =>
        new(metric, (_, s) =>
            {
                if (!s.Metrics.TryGetValue(metric, out var m)) return new SortableCell("–");
                var (value, interval) = BenchmarkReport.CellParts(m);
                return new SortableCell(value, Finite(m.Mean), interval);
            },
            Key: key,
            Tooltip: $"{metric}: mean over seeds with its 95% interval; {(Leaderboard.HigherIsBetter(metric) ? "higher" : "lower")} is better.",
            HigherIsBetter: Leaderboard.HigherIsBetter(metric));

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static double Position(BenchmarkResults results, LeaderboardEntry entry)
    {
        var shifts = results.Leaderboard.Shifts;
        for (int i = 0; i < shifts.Count; i++)
            if (ReferenceEquals(shifts[i], entry)) return i + 1;
        return entry.Rank;
    }
}
