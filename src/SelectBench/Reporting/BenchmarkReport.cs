using System.Globalization;
using SelectBench.Analysis;
using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Evaluation.Suite;
using SelectBench.Statistics;

namespace SelectBench.Reporting;

/// <summary>
/// The report of a finished run (issue 5, docs/architecture.md#results-contract): one self-contained <c>report/index.html</c>
/// drawn from <see cref="BenchmarkResults"/> alone. Every part is a <c>&lt;section id=...&gt;</c> listed in
/// <see cref="SectionIds"/>; a part whose data the run lacks shows a note instead of a chart.
/// </summary>
public static class BenchmarkReport
{
    /// <summary>
    /// The report's parts in the order they appear, one declaration each: the section id, its title, and what writes
    /// its content (a chart is <see cref="HtmlReport.Chart"/> of a <see cref="Charts"/> function, so it gets hover values).
    /// Adding a section is adding a line here.
    /// </summary>
    private static IReadOnlyList<ReportPart> Parts =>
    [
        new("leaderboard", "Leaderboard", LeaderboardSection),
        new("families", "Metric families", (r, results, _) => FamiliesSection(r, results)),
        new("samples", "Sample grids", SamplesSection),
        new("class-counts", "Class counts", (r, results, _) => ClassCountsSection(r, results)),
        new("long-tail", "Per-class accuracy against class count", (r, results, _) => LongTailSection(r, results)),
        new("corruptions", "Corruptions", (r, results, _) => CorruptionsSection(r, results)),
        new("transfer-knn", "Transfer and kNN", (r, results, _) => TransferKnnSection(r, results)),
        new("rank-agreement", "Rank agreement between metrics", (r, results, _) => RankAgreementSection(r, results)),
        new("cost-utility", "Cost and utility", (r, results, _) => CostUtilitySection(r, results)),
        new("proxies", "Predicting the ranking with cheap proxies", (r, _, run) => ProxyFrontierChart.Write(r, ProxyFrontierChart.ReadFromRun(run))),
        new("expert-size", "Expert-equivalent size", (r, results, _) => ExpertSizeSection(r, results)),
        new("paper", "The paper's Table 2 beside this run", (r, results, _) => PaperSection(r, results)),
        new("metadata", "Run metadata", (r, results, _) => MetadataSection(r, results)),
    ];

    /// <summary>The section ids, in the order they appear.</summary>
    public static IReadOnlyList<string> SectionIds => Parts.Select(p => p.Id).ToList();

    /// <summary>
    /// The leaderboard's columns after the shift's own fields: the key metrics each registered metric declares
    /// (<see cref="MetricDeclaration.Headline"/>), in report order, then the expert-equivalent size.
    /// </summary>
    public static IReadOnlyList<string> KeyMetrics =>
        [.. EvalMetrics.All.SelectMany(m => m.Declaration.Headline), Leaderboard.ExpertEquivalentImagesKey];

    private const string BaseTop1 = BaseAccuracyMetric.Top1Key;
    private const int MaxListedTies = 4;
    private const int HalfWidth = 560, HalfHeight = 340, WideWidth = 1000, WideHeight = 420;

    /// <summary>
    /// Writes the report atomically to <paramref name="outputPath"/> (default &lt;runFolder&gt;/report/index.html)
    /// and returns its path; sample grids are read relative to <paramref name="runFolder"/>.
    /// </summary>
    public static string Write(BenchmarkResults results, string runFolder, string? outputPath = null)
    {
        var path = outputPath ?? Path.Combine(runFolder, "report", "index.html");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Build(results, runFolder).Save(path);
        return path;
    }

    /// <summary>The report as an HTML builder; sample grids are read relative to <paramref name="runFolder"/>.</summary>
    public static HtmlReport Build(BenchmarkResults results, string runFolder)
    {
        var report = new HtmlReport($"SelectBench report: {results.RunName}");
        foreach (var part in Parts)
        {
            report.Section(part.Id, part.Title);
            part.Write(report, results, runFolder);
        }
        return report;
    }

    private static void LeaderboardSection(HtmlReport report, BenchmarkResults results, string runFolder)
    {
        var board = results.Leaderboard;
        report.Paragraph($"Shifts ranked by {board.PrimaryMetric}. Each metric cell is the mean over seeds with its 95% interval " +
                         "[low, high] under it (the value alone when the interval is a single point).");
        // Which data, on which machine: two leaderboards compare only when their world and shift fingerprints agree.
        report.Paragraph($"{Capitalised(board.HeaderLine)}. Two leaderboards are about the same data only when their world and shift " +
                         "fingerprints agree (the full fingerprints are under Run metadata); trained numbers also vary a little between CPUs.");
        if (board.Shifts.Count == 0)
        {
            report.Note("The leaderboard is empty: the run produced no evaluated shift.");
        }
        else
        {
            var columns = LeaderboardColumn.For(results, ProxyFrontierChart.PredictedRanks(runFolder));
            report.SortableTable(
                columns.Select(c => new SortableColumn(c.Header, c.Key, c.Numeric, c.Tooltip, c.HigherIsBetter)).ToList(),
                board.Shifts.Select(s => (IReadOnlyList<SortableCell>)columns.Select(c => c.Cell(results, s)).ToList()),
                "leaderboard-table");
            var ties = board.Shifts.Where(s => s.TiedWith.Count > 0).Select(s => $"{s.Name} ≈ {string.Join(", ", s.TiedWith)}").ToList();
            // Listing every pair reads as a wall of names once most shifts tie (small runs): then the tooltips say it.
            report.Paragraph(ties.Count == 0 ? $"No statistical ties on {board.PrimaryMetric}."
                : ties.Count <= MaxListedTies
                    ? $"≈ marks a statistical tie on {board.PrimaryMetric} (overlapping 95% intervals; hover the rank header for the rule): {string.Join("; ", ties)}."
                    : $"≈ marks a statistical tie on {board.PrimaryMetric} (overlapping 95% intervals): {ties.Count} of {board.Shifts.Count} shifts tie with another. " +
                      "Hover a rank to see which; hover the rank header for the rule.");
        }

        report.Subheading("The paper's findings on this run");
        if (results.Findings.Count == 0) report.Note("No findings were checked on this run.");
        else
            report.Table(["claim", "holds", "evidence"],
                results.Findings.Select(f => (IReadOnlyList<string>)[f.Claim, f.Holds switch { true => "yes", false => "no", null => "undecided" }, f.Evidence]),
                id: "findings-table", textual: true);
    }

    private static void FamiliesSection(HtmlReport report, BenchmarkResults results)
    {
        report.Paragraph("One chart per metric family with the shifts on the x axis; whiskers are 95% intervals over seeds.");
        var shifts = results.Leaderboard.Shifts;
        if (shifts.Count == 0)
        {
            report.Note("No shifts to chart.");
            return;
        }
        var present = shifts.SelectMany(s => s.Metrics.Keys).ToHashSet();
        var names = shifts.Select(s => s.Name).ToArray();
        foreach (var family in MetricFamily.All)
        {
            var panels = family.Panels.Select(p => (Panel: p, Metrics: p.Resolve(present))).Where(p => p.Metrics.Count > 0).ToList();
            if (panels.Count == 0)
            {
                report.Note($"{family.Title}: this run computed none of its metrics.");
                continue;
            }
            bool single = panels.Count == 1;
            var pngs = panels.Select(p =>
            {
                var series = p.Metrics.Select(m => new BarSeries(
                    Leaderboard.HigherIsBetter(m) ? m : $"{m} (lower is better)",
                    shifts.Select(s => s.Metrics.TryGetValue(m, out var v) ? v.Mean : double.NaN).ToArray(),
                    shifts.Select(s => s.Metrics.TryGetValue(m, out var v) ? v.CiLow : double.NaN).ToArray(),
                    shifts.Select(s => s.Metrics.TryGetValue(m, out var v) ? v.CiHigh : double.NaN).ToArray())).ToList();
                string title = single ? family.Title : $"{family.Title}: {p.Panel.Unit}";
                if (series.Count == 1 && !Leaderboard.HigherIsBetter(p.Metrics[0])) title += " (lower is better)";
                return Charts.GroupedBars(title, p.Panel.Unit, names, series,
                    single ? WideWidth : HalfWidth, single ? WideHeight : HalfHeight);
            }).ToList();
            var chart = single ? pngs[0] : Charts.Panels(pngs, 2);
            report.Chart(chart, $"{family.Title} per shift",
                $"{family.Title}: {string.Join(", ", panels.SelectMany(p => p.Metrics))}.");
        }
    }

    private static void SamplesSection(HtmlReport report, BenchmarkResults results, string runFolder)
    {
        report.Paragraph("Labelled samples of each shift (one row per class).");
        if (results.Shifts.Count == 0) report.Note("No shifts in this run.");
        foreach (var shift in results.Shifts)
        {
            if (string.IsNullOrEmpty(shift.GridPng))
            {
                report.Note($"{shift.Name}: no sample grid was rendered for this shift.");
                continue;
            }
            var path = Path.Combine(runFolder, shift.GridPng);
            byte[] png = File.Exists(path) ? File.ReadAllBytes(path) : [];
            if (!IsPng(png))
            {
                report.Note(png.Length == 0
                    ? $"{shift.Name}: the sample grid {shift.GridPng} is missing from the run folder."
                    : $"{shift.Name}: {shift.GridPng} is not a PNG file.");
                continue;
            }
            report.Image(png, $"sample grid of {shift.Name}", $"{shift.Name} ({shift.Strategy})", "grid");
        }
    }

    private static void ClassCountsSection(HtmlReport report, BenchmarkResults results)
    {
        report.Paragraph("Images per class, largest first. The dashed line is the LT threshold: classes below it count towards LT@t. " +
            "LS@5pct is the share of images held by the top 5% of classes.");
        if (results.Shifts.Count == 0) report.Note("No shifts in this run.");
        foreach (var shift in results.Shifts)
        {
            if (shift.ClassCounts.Count == 0 || shift.ClassCounts.Sum() == 0)
            {
                report.Note($"{shift.Name}: no class counts were recorded.");
                continue;
            }
            var stats = ClassDistribution.Compute(shift.ClassCounts,
                new ClassDistributionSettings(LongTailThreshold: (int)Math.Ceiling(shift.LtThreshold)));
            var png = Charts.ClassCounts($"{shift.Name}: images per class", ClassNames(shift, shift.ClassCounts.Count),
                shift.ClassCounts, shift.LtThreshold, HalfWidth, HalfHeight);
            report.Chart(png, $"class counts of {shift.Name}",
                Inv($"{shift.Name}: LS@5pct = {stats.LargestShare:0.###}; LT@{shift.LtThreshold:0} = {stats.LongTailClasses} of {stats.Classes} classes; coverage {stats.Coverage}."));
        }
    }

    private static void LongTailSection(HtmlReport report, BenchmarkResults results)
    {
        report.Paragraph("Each point is one class of one shift: its images in the shift (x) and its base-set recall (y, mean over seeds).");
        var series = results.Shifts
            .Where(s => s.PerClassAccuracy.Count > 0 && s.PerClassAccuracy.Count == s.ClassCounts.Count)
            .Select(s => new PointSeries(s.Name, s.ClassCounts.Select(c => (double)c).ToArray(), s.PerClassAccuracy.ToArray()))
            .ToList();
        if (series.Count == 0)
        {
            report.Note("No shift has per-class accuracies matched to its class counts.");
            return;
        }
        report.Chart(Charts.GroupedScatter("Per-class accuracy against class count", "images of the class", "per-class accuracy",
            series, width: WideWidth, height: WideHeight), "per-class accuracy against class count");
    }

    private static void CorruptionsSection(HtmlReport report, BenchmarkResults results)
    {
        report.Paragraph("Top-1 under each corruption (rows) at severities 1 to 5 (columns), mean over seeds; all maps share one colour scale.");
        var withData = results.Shifts.Where(s => s.CorruptionTop1.Count > 0).ToList();
        if (withData.Count == 0)
        {
            report.Note("The run evaluated no corruptions.");
            return;
        }
        var all = withData.SelectMany(s => s.CorruptionTop1.Values.SelectMany(v => v)).Where(double.IsFinite).ToArray();
        double min = all.Length > 0 ? all.Min() : 0, max = all.Length > 0 ? all.Max() : 1;
        if (max <= min) max = min + 1e-6;
        foreach (var shift in withData)
        {
            var names = shift.CorruptionTop1.Keys.ToArray();
            int severities = shift.CorruptionTop1.Values.Max(v => v.Length);
            var values = new double[names.Length, severities];
            for (int r = 0; r < names.Length; r++)
                for (int c = 0; c < severities; c++)
                {
                    var row = shift.CorruptionTop1[names[r]];
                    values[r, c] = c < row.Length ? row[c] : double.NaN;
                }
            var png = Charts.Heatmap($"{shift.Name}: top-1 under corruption", values, names,
                Enumerable.Range(1, severities).Select(Int).ToArray(), HalfWidth, 460, min, max,
                cellFormat: "0.00", xLabel: "severity");
            report.Chart(png, $"corruption heat map of {shift.Name}");
        }
    }

    private static void TransferKnnSection(HtmlReport report, BenchmarkResults results)
    {
        report.Paragraph("Transfer: top-1 on each downstream task after fine-tuning (whiskers: 95% interval). kNN: top-1 of a weighted kNN on the SSL encoder's features against k.");
        var tasks = results.Shifts.SelectMany(s => s.Transfer.Keys).Distinct().ToArray();
        if (tasks.Length == 0) report.Note("The run evaluated no transfer tasks.");
        else
        {
            var series = results.Shifts.Select(s => new BarSeries(s.Name,
                tasks.Select(t => s.Transfer.TryGetValue(t, out var v) ? v.Mean : double.NaN).ToArray(),
                tasks.Select(t => s.Transfer.TryGetValue(t, out var v) ? v.CiLow : double.NaN).ToArray(),
                tasks.Select(t => s.Transfer.TryGetValue(t, out var v) ? v.CiHigh : double.NaN).ToArray())).ToList();
            report.Chart(Charts.GroupedBars("Transfer top-1 per task", "top-1", tasks, series, WideWidth, WideHeight),
                "transfer top-1 per task and shift");
        }

        var ks = results.Shifts.SelectMany(s => s.Knn.Keys).Distinct().Order().ToArray();
        if (ks.Length == 0) report.Note("The run evaluated no kNN classifier.");
        else
        {
            var lines = results.Shifts.Where(s => s.Knn.Count > 0).ToDictionary(s => s.Name,
                s => ks.Select(k => s.Knn.TryGetValue(k, out var v) ? v.Mean : double.NaN).ToArray());
            report.Chart(Charts.Lines("SSL kNN top-1 against k", "k (neighbours)", "top-1", ks.Select(k => (double)k).ToArray(),
                lines, logX: ks.Length > 1 && ks[^1] / (double)Math.Max(1, ks[0]) >= 10, WideWidth, WideHeight), "kNN top-1 against k");
        }
    }

    private static void RankAgreementSection(HtmlReport report, BenchmarkResults results)
    {
        report.Paragraph("Kendall tau and Spearman rho between the rankings of the shifts by each pair of metrics (1: same order, -1: reversed). " +
            "Metrics where smaller is better are compared as they are, so a strong negative value can mean agreement.");
        var table = results.RankAgreement;
        if (table == null || table.Metrics.Count < 2)
        {
            report.Note("Rank agreement needs at least three shifts and two metrics; this run has too few.");
            return;
        }
        var metrics = table.Metrics.ToArray();
        int size = Math.Clamp(260 + 38 * metrics.Length, 520, 1000);
        report.Chart(Charts.Heatmap($"Kendall tau over {table.Shifts} shifts", ToGrid(table.Kendall), metrics, metrics, size + 120, size, -1, 1,
            new ScottPlot.Colormaps.Balance(), "0.00"), "Kendall tau heat map");
        report.Chart(Charts.Heatmap($"Spearman rho over {table.Shifts} shifts", ToGrid(table.Spearman), metrics, metrics, size + 120, size, -1, 1,
            new ScottPlot.Colormaps.Balance(), "0.00"), "Spearman rho heat map");
        int baseIndex = Array.IndexOf(metrics, BaseTop1);
        if (baseIndex >= 0)
        {
            report.Subheading($"Which metrics predict {BaseTop1}");
            var rows = Enumerable.Range(0, metrics.Length).Where(i => i != baseIndex)
                .OrderByDescending(i => Math.Abs(table.Kendall[baseIndex][i]))
                .Select(i => (IReadOnlyList<string>)[metrics[i], Inv($"{table.Kendall[baseIndex][i]:0.00}"), Inv($"{table.Spearman[baseIndex][i]:0.00}")]);
            report.Table(["metric", "Kendall tau", "Spearman rho"], rows, id: "rank-agreement-table");
        }
    }

    private static void CostUtilitySection(HtmlReport report, BenchmarkResults results)
    {
        report.Paragraph($"Cost of each shift in US dollars from the cost model (src/SelectBench/Curation/CostModel.cs; illustrative unit prices unless the config sets them) " +
            $"against its {BaseTop1}. The dashed line joins the Pareto frontier: shifts no other shift beats on both.");
        var shifts = results.Leaderboard.Shifts.Where(s => s.Metrics.ContainsKey(BaseTop1) && double.IsFinite(s.Cost)).ToList();
        if (shifts.Count == 0)
        {
            report.Note($"No shift has both a cost and {BaseTop1}.");
            return;
        }
        var costs = shifts.Select(s => s.Cost).ToArray();
        var utility = shifts.Select(s => s.Metrics[BaseTop1].Mean).ToArray();
        var frontier = CostUtility.ParetoFrontier(costs, utility);
        bool logX = costs.All(c => c > 0) && costs.Max() / costs.Min() >= 100;
        report.Chart(Charts.LabelledScatter("Cost against base top-1", "cost (US dollars)", BaseTop1, costs, utility,
            shifts.Select(s => s.Name).ToArray(), frontier, logX, WideWidth, WideHeight), "cost against base top-1 with the Pareto frontier");
        var onFrontier = frontier.ToHashSet();
        report.Table(["shift", "cost ($)", BaseTop1, $"{BaseTop1} per $1,000", "Pareto frontier"],
            Enumerable.Range(0, shifts.Count)
                .OrderByDescending(i => CostUtility.UtilityPerCost(utility[i], costs[i]))
                .Select(i => (IReadOnlyList<string>)[shifts[i].Name, Money(costs[i]), Cell(shifts[i].Metrics[BaseTop1]),
                    PerThousand(CostUtility.UtilityPerCost(utility[i], costs[i])), onFrontier.Contains(i) ? "yes" : "no"]),
            id: "cost-utility-table");
    }

    private static void ExpertSizeSection(HtmlReport report, BenchmarkResults results)
    {
        report.Paragraph("The expert recipe trained on fractions of the expert shift, the fit top-1 = a + b ln(images), and each shift placed at the " +
            "number of expert images that gives its accuracy (horizontal bar: 95% bootstrap interval).");
        var curve = results.ExpertSize;
        var points = curve?.Points.Where(p => p.Images > 0).OrderBy(p => p.Images).ToList() ?? [];
        if (curve == null || points.Count == 0)
        {
            report.Note("This run trained no expert fractions, so there is no expert-equivalent size.");
            return;
        }
        var order = results.Shifts.Select(s => s.Name).ToList();
        var marks = curve.Equivalents.Select(e => new MarkedSize(e.Shift, e.Images, e.Low, e.High, e.Extrapolated, order.IndexOf(e.Shift))).ToList();
        report.Chart(Charts.SizeCurve("Expert top-1 against training images", "expert images", "base top-1",
            points.Select(p => (double)p.Images).ToArray(), points.Select(p => p.Top1.Mean).ToArray(),
            points.Select(p => p.Top1.CiLow).ToArray(), points.Select(p => p.Top1.CiHigh).ToArray(),
            curve.Intercept, curve.Slope, marks, WideWidth, 460), "expert-equivalent-size curve");
        report.Table(["fraction", "images", "base top-1"],
            points.Select(p => (IReadOnlyList<string>)[Inv($"{p.Fraction:0.###}"), Int(p.Images), Cell(p.Top1)]), id: "expert-size-points");
        if (curve.Equivalents.Count == 0) report.Note("No shift was placed on the curve.");
        else
            report.Table(["shift", "expert-equivalent images", "95% interval", "extrapolated"],
                curve.Equivalents.Select(e => (IReadOnlyList<string>)[e.Shift, Images(e.Images),
                    $"[{Images(e.Low)}, {Images(e.High)}]", e.Extrapolated ? "yes" : "no"]),
                id: "expert-size-table");
    }

    private static void PaperSection(HtmlReport report, BenchmarkResults results)
    {
        report.Paragraph("Base accuracy of the SELECT paper's ImageNet++ shifts (Feuer et al. 2024, Table 2) beside the FashionMNIST++ analogue measured here. " +
            "The worlds differ, so compare orderings, not values.");
        if (results.Paper.Count == 0)
        {
            report.Note("No paper comparison rows in this run's results.");
            return;
        }
        var labels = results.Paper.Select(r => $"{r.PaperShift}\n{r.Shift}").ToArray();
        var ours = results.Paper.Select(r => r.Top1?.Mean ?? double.NaN).ToArray();
        var series = new List<BarSeries>
        {
            new("SelectBench (this run)", ours, results.Paper.Select(r => r.Top1?.CiLow ?? double.NaN).ToArray(),
                results.Paper.Select(r => r.Top1?.CiHigh ?? double.NaN).ToArray()),
            new("paper (Table 2)", results.Paper.Select(r => r.PaperTop1).ToArray()),
        };
        report.Chart(Charts.GroupedBars("Base top-1: paper against this run", "base top-1", labels, series, WideWidth, WideHeight),
            "paper base accuracies beside this run");
        report.Table(["paper shift", "paper top-1", "our shift", "our top-1", "difference"],
            results.Paper.Select(r => (IReadOnlyList<string>)[r.PaperShift, Inv($"{r.PaperTop1:0.###}"), r.Shift,
                r.Top1 is { } t ? Cell(t) : "not in this run", r.Top1 is { } u ? Inv($"{u.Mean - r.PaperTop1:+0.###;-0.###;0}") : "–"]),
            id: "paper-table");
        if (results.Paper.Any(r => r.Top1 == null)) report.Note("Shifts the run did not include are left empty.");
    }

    private static void MetadataSection(HtmlReport report, BenchmarkResults results)
    {
        var meta = results.Metadata;
        report.Table(["field", "value"],
        [
            ["run", results.RunName],
            ["config hash", meta.ConfigHash],
            ["profile", meta.Profile ?? "(config file)"],
            ["seeds", meta.Seeds.Count > 0 ? string.Join(", ", meta.Seeds) : "–"],
            ["finished (UTC)", meta.FinishedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)],
            ["world fingerprint", meta.WorldFingerprint ?? "not recorded"],
            ["CPU", meta.Engine?.CpuModel ?? "not recorded"],
            ["oneDNN ISA (native)", meta.Engine?.NativeIsa ?? "not recorded"],
            ["usable cores", meta.Engine is { } engine ? Int(engine.UsableCores) : "not recorded"],
        ], id: "metadata-table", textual: true);
        report.Subheading("Fingerprints");
        report.Table(["data", "content fingerprint (SHA-256)"],
            new[] { (IReadOnlyList<string>)["world", meta.WorldFingerprint ?? "–"] }
                .Concat(results.Leaderboard.Shifts.Select(s => (IReadOnlyList<string>)[s.Name, s.Fingerprint ?? "–"])),
            id: "fingerprints-table", textual: true);
        KeyValues(report, "Settings", meta.Settings, "settings-table");
        KeyValues(report, "Versions", meta.Versions, "versions-table");
        KeyValues(report, "Machine", meta.Machine, "machine-table");
        report.Subheading("Time per stage");
        if (meta.StageSeconds.Count == 0) report.Note("No stage times were recorded.");
        else
        {
            var rows = meta.StageSeconds.Select(s => (IReadOnlyList<string>)[s.Stage, Int(s.Jobs), Duration(s.Seconds)]).ToList();
            rows.Add(["total", Int(meta.StageSeconds.Sum(s => s.Jobs)), Duration(meta.StageSeconds.Sum(s => s.Seconds))]);
            report.Table(["stage", "jobs", "time (sum of job durations)"], rows, id: "stage-times-table");
        }
    }

    private static void KeyValues(HtmlReport report, string title, IReadOnlyDictionary<string, string> values, string id)
    {
        report.Subheading(title);
        if (values.Count == 0) report.Note($"No {title.ToLowerInvariant()} recorded.");
        else report.Table(["name", "value"], values.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value]), id: id, textual: true);
    }

    private static IReadOnlyList<string> ClassNames(ShiftDetail shift, int count) =>
        Enumerable.Range(0, count).Select(i => i < shift.ClassNames.Count ? shift.ClassNames[i] : $"class {i}").ToArray();

    private static double[,] ToGrid(double[][] rows)
    {
        int n = rows.Length, m = rows.Length == 0 ? 0 : rows.Max(r => r.Length);
        var grid = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) grid[i, j] = j < rows[i].Length ? rows[i][j] : double.NaN;
        return grid;
    }

    private static bool IsPng(byte[] b) => b.Length > 8 && b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G';

    /// <summary>
    /// "mean [low, high]" with precision by magnitude, so accuracies show 3 decimals and FID or image counts stay short.
    /// An interval that is a single point (a metric that does not vary over seeds, or exact zeros) shows as the value
    /// alone: "0", not "0 [0, 0]".
    /// </summary>
    public static string Cell(MetricSummary m)
    {
        var (value, interval) = CellParts(m);
        return interval == null ? value : $"{value} {interval}";
    }

    /// <summary>The value and, unless it is a point or unknown, the "[low, high]" interval of <see cref="Cell"/>.</summary>
    public static (string Value, string? Interval) CellParts(MetricSummary m)
    {
        if (!double.IsFinite(m.Mean)) return ("–", null);
        bool point = m.CiLow == m.CiHigh || !double.IsFinite(m.CiLow) || !double.IsFinite(m.CiHigh);
        // Counts (coverage, LT, images) are whole numbers and show as such.
        string f = point && m.Mean == Math.Round(m.Mean) ? "#,0" : Format(m.Mean);
        return (Number(m.Mean, f), point ? null : Inv($"[{Number(m.CiLow, f)}, {Number(m.CiHigh, f)}]"));
    }

    private static string Format(double v) => Math.Abs(v) >= 100 ? "#,0" : Math.Abs(v) >= 10 ? "0.0" : "0.###";
    private static string Number(double v, string format) => double.IsFinite(v) ? NoNegativeZero(v.ToString(format, CultureInfo.InvariantCulture)) : "–";

    /// <summary>A value that rounds to zero prints as "0", not "-0".</summary>
    private static string NoNegativeZero(string text) => text == "-0" ? "0" : text;
    internal static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);
    /// <summary>Dollars to the cent; a cost above zero that rounds to no cents shows as "&lt; 0.01", so only a free shift reads "0".</summary>
    internal static string Money(double v) =>
        !double.IsFinite(v) ? "–" : v > 0 && v < 0.005 ? "< 0.01" : NoNegativeZero(v.ToString("#,0.##", CultureInfo.InvariantCulture));
    internal static string Images(double v) => double.IsFinite(v) ? v.ToString("#,0", CultureInfo.InvariantCulture) : "–";
    private static string PerThousand(double v) =>
        double.IsPositiveInfinity(v) ? "∞ (free)" : double.IsFinite(v) ? (v * 1000).ToString("0.###", CultureInfo.InvariantCulture) : "–";
    internal static string PValue(double p) =>
        !double.IsFinite(p) ? "–" : p < 0.001 ? "< 0.001" : p.ToString("0.000", CultureInfo.InvariantCulture);
    private static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return Inv($"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}");
    }
    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
    private static string Capitalised(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}

/// <summary>One section of the report: its id, its title, and what writes its content (given the run folder for files it embeds).</summary>
internal sealed record ReportPart(string Id, string Title, Action<HtmlReport, BenchmarkResults, string> Write);
