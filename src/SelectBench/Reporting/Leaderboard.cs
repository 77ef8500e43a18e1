using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Evaluation.Suite;

namespace SelectBench.Reporting;

/// <summary>One metric of one shift: the mean over seeds (or the point estimate) with a 95% interval (docs/architecture.md#results-contract).</summary>
public sealed record MetricSummary(double Mean, double CiLow, double CiHigh, int N)
{
    public static MetricSummary Point(double value) => new(value, value, value, 1);
    public bool Overlaps(MetricSummary other) => CiLow <= other.CiHigh && other.CiLow <= CiHigh;
}

/// <summary>One row of the leaderboard: a shift and its metrics keyed by stable snake_case names.</summary>
public sealed record LeaderboardEntry(
    string Name,
    string Strategy,
    int Images,
    int ClassesPresent,
    double Cost,
    IReadOnlyDictionary<string, MetricSummary> Metrics)
{
    /// <summary>1-based rank by the primary metric (ties share a rank when their intervals overlap the leader's of that rank).</summary>
    public int Rank { get; init; }
    /// <summary>Names of shifts this one is statistically tied with on the primary metric.</summary>
    public IReadOnlyList<string> TiedWith { get; init; } = [];
    /// <summary>Paired p-value of this shift against the reference shift on the primary metric (null for the reference).</summary>
    public double? PValueVsReference { get; init; }
    /// <summary>The shift's content fingerprint (<see cref="ContentFingerprint"/> of its images, ids and labels): equal
    /// fingerprints on two leaderboards mean the same training set.</summary>
    public string? Fingerprint { get; init; }
}

/// <summary>
/// The ranked leaderboard of a run and its three file forms (leaderboard.json, .csv, .md) plus a console table.
/// Ranking uses the primary metric's mean (higher is better unless listed in <see cref="LowerIsBetter"/>);
/// two shifts are tied when their 95% intervals on it overlap. The paired p-value against the reference
/// shift is reported beside (<see cref="LeaderboardEntry.PValueVsReference"/>) but does not decide ties,
/// since it exists only for pairs with the reference.
/// </summary>
public sealed record Leaderboard(string PrimaryMetric, IReadOnlyList<LeaderboardEntry> Shifts, string? ReferenceShift = null)
{
    /// <summary>The content fingerprint of the world every shift was curated from and scored on.</summary>
    public string? WorldFingerprint { get; init; }

    /// <summary>The CPU the run's report was made on (training numbers are not bit-exact across CPUs).</summary>
    public EngineDescription? Engine { get; init; }

    /// <summary>"world 1a2b3c4d5e6f on Intel(R) Xeon(R) ... (oneDNN AVX2, 2 usable cores)": what data, on what machine.</summary>
    [JsonIgnore]
    public string HeaderLine =>
        $"world {(WorldFingerprint is { } w ? ContentFingerprint.Short(w) : "(no fingerprint)")} on {Engine?.Summary ?? "an unrecorded CPU"}";

    /// <summary>The cost of a shift in dollars (not a metric of the suite; smaller is better).</summary>
    public const string CostKey = "cost";

    /// <summary>The expert-equivalent size of a shift (docs/benchmark.md): how many expert images match its base top-1.</summary>
    public const string ExpertEquivalentImagesKey = "expert_equivalent_images";

    /// <summary>Metrics where smaller values are better, as the registered metrics declare them, and the cost; all others rank descending.</summary>
    public static IReadOnlySet<string> LowerIsBetter =>
        EvalMetrics.All.SelectMany(m => m.Declaration.LowerIsBetter).Append(CostKey).ToHashSet(StringComparer.Ordinal);

    public static bool HigherIsBetter(string metric) => !LowerIsBetter.Contains(metric);

    /// <summary>How <see cref="Rank"/> ranks and marks ties, in words (the report shows it on the rank column's header).</summary>
    public static string RankRule(string primaryMetric) =>
        $"Ranked by {primaryMetric} ({(HigherIsBetter(primaryMetric) ? "higher" : "lower")} is better). Rank = 1 + the number of shifts whose " +
        $"95% interval on {primaryMetric} lies entirely on the better side of this shift's interval, and never better than the rank of " +
        "the row above. ≈ marks a shift whose interval overlaps another shift's (a statistical tie). The paired p-value against the " +
        "reference shift is shown beside it but does not decide ties.";

    /// <summary>Orders shifts by the primary metric and marks ranks and ties (<see cref="RankRule"/> says it in words).</summary>
    public static Leaderboard Rank(string primaryMetric, IEnumerable<LeaderboardEntry> entries, string? referenceShift = null)
    {
        bool higher = HigherIsBetter(primaryMetric);
        double Key(LeaderboardEntry e) => e.Metrics.TryGetValue(primaryMetric, out var m) ? m.Mean : double.NaN;
        var ordered = entries
            .OrderBy(e => double.IsNaN(Key(e)) ? 1 : 0)
            .ThenBy(e => higher ? -Key(e) : Key(e))
            .ToList();
        var ranked = new List<LeaderboardEntry>();
        for (int i = 0; i < ordered.Count; i++)
        {
            var e = ordered[i];
            var ties = new List<string>();
            if (e.Metrics.TryGetValue(primaryMetric, out var mine))
            {
                foreach (var other in ordered)
                {
                    if (ReferenceEquals(other, e) || !other.Metrics.TryGetValue(primaryMetric, out var theirs)) continue;
                    if (mine.Overlaps(theirs)) ties.Add(other.Name);
                }
            }
            // Rank = 1 + the shifts clearly better (interval entirely on the better side), never above the rank of
            // the shift listed before it: overlaps are not transitive (a wide interval can overlap two shifts that do
            // not overlap each other), and a rank column that went 1, 2, 1 down the table would read as an error.
            int better = 0;
            if (e.Metrics.TryGetValue(primaryMetric, out var own))
                foreach (var other in ordered)
                    if (!ReferenceEquals(other, e) && other.Metrics.TryGetValue(primaryMetric, out var o)
                        && (higher ? o.CiLow > own.CiHigh : o.CiHigh < own.CiLow))
                        better++;
            int rank = e.Metrics.ContainsKey(primaryMetric) ? better + 1 : i + 1;
            if (i > 0) rank = Math.Max(rank, ranked[i - 1].Rank);
            ranked.Add(e with { Rank = rank, TiedWith = ties });
        }
        return new Leaderboard(primaryMetric, ranked, referenceShift);
    }

    /// <summary>Every metric name present in any shift, primary first, then alphabetical.</summary>
    public IReadOnlyList<string> MetricNames() =>
        Shifts.SelectMany(s => s.Metrics.Keys).Distinct()
              .OrderBy(n => n == PrimaryMetric ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal).ToList();

    /// <param name="keyMetrics">When given, leaderboard.md opens with a readable table of these metrics and lists
    /// every metric in a second table (the CSV and JSON always hold everything).</param>
    public void WriteAll(string folder, IReadOnlyList<string>? keyMetrics = null)
    {
        AtomicFile.WriteJson(Path.Combine(folder, "leaderboard.json"), this);
        // The first line says which data on which machine: leaderboards compare only when their fingerprints agree.
        AtomicFile.WriteAllText(Path.Combine(folder, "leaderboard.md"), HeaderLine + "\n\n"
            + (keyMetrics is null ? ToMarkdown()
               : ToMarkdown(keyMetrics.Where(m => Shifts.Any(s => s.Metrics.ContainsKey(m))).ToList()) + "\n## All metrics\n\n" + ToMarkdown())
            + "\n" + FingerprintsMarkdown());
        AtomicFile.WriteAllText(Path.Combine(folder, "leaderboard.csv"), ToCsv());
    }

    public static Leaderboard Read(string path) => Json.Read<Leaderboard>(path);

    /// <summary>The fixed columns of leaderboard.csv, before the metrics.</summary>
    private static readonly string[] FixedCsvColumns = ["rank", "name", "strategy", "images", "classes_present", CostKey];

    /// <summary>The metric columns of the CSV and markdown tables: every metric but those named like a fixed column (the
    /// cost metric and the analytics' image count, which the fixed "cost" and "images" columns already show; a second
    /// column of the same name broke readers such as pandas). leaderboard.json keeps them all.</summary>
    private IReadOnlyList<string> TableMetricNames(IEnumerable<string>? metrics = null) =>
        (metrics ?? MetricNames()).Where(n => !FixedCsvColumns.Contains(n)).ToList();

    public string ToCsv()
    {
        var names = TableMetricNames();
        var sb = new StringBuilder();
        sb.Append(string.Join(',', FixedCsvColumns));
        foreach (var n in names) sb.Append($",{n},{n}_ci_low,{n}_ci_high,{n}_n");
        sb.Append(",fingerprint,world_fingerprint\n");
        foreach (var s in Shifts)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{s.Rank},{Csv(s.Name)},{Csv(s.Strategy)},{s.Images},{s.ClassesPresent},{F(s.Cost)}");
            foreach (var n in names)
            {
                if (s.Metrics.TryGetValue(n, out var m)) sb.Append(CultureInfo.InvariantCulture, $",{F(m.Mean)},{F(m.CiLow)},{F(m.CiHigh)},{m.N}");
                else sb.Append(",,,,");
            }
            sb.Append(CultureInfo.InvariantCulture, $",{s.Fingerprint},{WorldFingerprint}\n");
        }
        return sb.ToString();
    }

    /// <summary>Markdown table of the given metrics (default: all), "mean [low, high]" per cell; ties marked with "≈".</summary>
    public string ToMarkdown(IReadOnlyList<string>? metrics = null)
    {
        var names = TableMetricNames(metrics);
        var sb = new StringBuilder();
        sb.Append("| rank | shift | strategy | images | classes | cost |");
        foreach (var n in names) sb.Append($" {n} |");
        sb.Append('\n').Append("|---|---|---|---:|---:|---:|");
        foreach (var _ in names) sb.Append("---:|");
        sb.Append('\n');
        foreach (var s in Shifts)
        {
            var tie = s.TiedWith.Count > 0 ? " ≈" : "";
            sb.Append(CultureInfo.InvariantCulture, $"| {s.Rank}{tie} | {s.Name} | {s.Strategy} | {s.Images} | {s.ClassesPresent} | {s.Cost:0.##} |");
            foreach (var n in names)
                sb.Append(s.Metrics.TryGetValue(n, out var m) ? $" {FormatCell(m)} |" : " – |");
            sb.Append('\n');
        }
        sb.Append("\n≈ marks a shift whose 95% interval on ").Append(PrimaryMetric)
          .Append(" overlaps another's (a statistical tie).\n");
        return sb.ToString();
    }

    /// <summary>The world's and every shift's full fingerprint, as a markdown section.</summary>
    public string FingerprintsMarkdown()
    {
        var sb = new StringBuilder("## Fingerprints\n\n| data | fingerprint |\n|---|---|\n");
        sb.Append($"| world | {WorldFingerprint ?? "–"} |\n");
        foreach (var s in Shifts) sb.Append($"| {s.Name} | {s.Fingerprint ?? "–"} |\n");
        return sb.ToString();
    }

    public static string FormatCell(MetricSummary m) =>
        // An interval that is a single point (every seed agrees, e.g. an exact 0) prints as the value alone, not "0 [0, 0]".
        m.CiLow != m.CiHigh
            ? string.Create(CultureInfo.InvariantCulture, $"{m.Mean:0.###} [{m.CiLow:0.###}, {m.CiHigh:0.###}]")
            : string.Create(CultureInfo.InvariantCulture, $"{m.Mean:0.###}");

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
