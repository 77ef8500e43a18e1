using System.Globalization;
using SelectBench.Analysis;
using SelectBench.Evaluation.Metrics;
using SelectBench.Evaluation.Suite;
using SelectBench.Reporting;
using SelectBench.Statistics;

namespace SelectBench.Benchmark;

/// <summary>What the report job read for one shift: its curation, one evaluation per seed, its analysis.</summary>
/// <param name="Evaluations">Seed -> the model metrics of that seed's model (missing seeds are absent).</param>
/// <param name="CorruptionErrors">Seed -> the model's corruption errors (for CE against the reference model of the same seed).</param>
public sealed record ShiftJobResults(
    string Name,
    CurateJobKind.Result Curation,
    string? GridPng,
    IReadOnlyList<string> ClassNames,
    IReadOnlyDictionary<int, EvaluateJobKind.Result> Evaluations,
    IReadOnlyDictionary<int, CorruptionReference> CorruptionErrors,
    AnalyseJobKind.Result? Analysis);

/// <param name="Fraction">Fraction of the reference shift.</param>
/// <param name="Images">Training images at that fraction.</param>
/// <param name="Top1BySeed">Seed -> base top-1.</param>
public sealed record FractionResults(double Fraction, int Images, IReadOnlyDictionary<int, double> Top1BySeed);

/// <summary>
/// Turns per-job results into the run's statistics (docs/metrics.md, "Statistics"):
/// <list type="bullet">
/// <item>a metric measured per trained model gets the mean over seeds and a 95% interval: Student-t across
/// seeds with 3 or more seeds; with fewer, the hull of the per-seed intervals (each a bootstrap over test
/// images), which covers both the test-set and the seed variation seen;</item>
/// <item>a shift metric (analytics, label/image quality, SSL kNN) keeps its own point value and interval;</item>
/// <item>each shift's base top-1 is compared with the reference shift's by a paired t-test over seeds;</item>
/// <item>mCE and relative mCE use the reference shift's model of the same seed as the normalising model
/// (Hendrycks and Dietterich 2019 use AlexNet; here the expert model plays that role).</item>
/// </list>
/// </summary>
public static class ResultsAggregator
{
    public const string PrimaryMetric = BaseAccuracyMetric.Top1Key;

    /// <summary>The paper's Table 2 base accuracies (Feuer et al. 2024) and our analogue of each shift.</summary>
    public static readonly IReadOnlyList<(string Paper, double Top1, string Shift)> PaperTable2 =
    [
        ("IN1000", 0.779, "expert"),
        ("LA1000 (img2img)", 0.596, "embedding-search"),
        ("OI1000", 0.423, "crowd-schema"),
        ("SD1000 (img2img)", 0.252, "synthetic-img2img"),
        ("SD1000 (txt2img)", 0.237, "synthetic-txt2img"),
        ("LA1000 (txt2img)", 0.165, "class-query-search"),
    ];

    /// <summary>
    /// Metrics compared across shifts for rank agreement (those every shift has are kept): the keys each registered
    /// metric declares (<see cref="MetricDeclaration.RankAgreement"/>), in report order, then the cost.
    /// </summary>
    public static IReadOnlyList<string> RankAgreementMetrics =>
        [.. EvalMetrics.All.SelectMany(m => m.Declaration.RankAgreement), Leaderboard.CostKey];

    public sealed record Aggregate(
        Leaderboard Leaderboard,
        IReadOnlyList<ShiftDetail> Details,
        ExpertSizeCurve? ExpertSize,
        RankAgreementTable? RankAgreement,
        IReadOnlyList<PaperComparisonRow> Paper,
        IReadOnlyList<Finding> Findings);

    public static Aggregate Run(IReadOnlyList<ShiftJobResults> shifts, string reference, IReadOnlyList<int> seeds,
        IReadOnlyList<FractionResults> fractions)
    {
        var referenceShift = shifts.FirstOrDefault(s => s.Name == reference);
        var entries = new List<LeaderboardEntry>();
        var perSeedTop1 = shifts.ToDictionary(s => s.Name, s => SeedValues(s, PrimaryMetric));
        foreach (var shift in shifts)
        {
            var metrics = new Dictionary<string, MetricSummary>(StringComparer.Ordinal);
            foreach (var key in shift.Evaluations.Values.SelectMany(e => e.Values.Keys).Distinct())
                metrics[key] = AcrossSeeds(shift.Evaluations.Values.Where(e => e.Values.ContainsKey(key)).Select(e => e.Values[key]).ToList());
            if (referenceShift != null)
                foreach (var (name, summary) in CorruptionErrors(shift, referenceShift))
                    metrics[name] = summary;
            if (shift.Analysis != null)
                foreach (var (key, value) in shift.Analysis.Values)
                    if (!metrics.ContainsKey(key)) metrics[key] = new MetricSummary(value.Estimate, value.Low, value.High, value.N);
            var audit = shift.Curation.Audit;
            if (audit.Audited > 0 && !metrics.ContainsKey(LabelQualityMetric.NoiseTrueKey))
                metrics[LabelQualityMetric.NoiseTrueKey] = MetricSummary.Point(audit.NoiseRate);
            metrics[Leaderboard.CostKey] = MetricSummary.Point(shift.Curation.Cost);
            if (metrics.TryGetValue(PrimaryMetric, out var top1) && shift.Curation.Cost > 0)
                metrics["top1_per_dollar"] = new MetricSummary(CostUtility.UtilityPerCost(top1.Mean, shift.Curation.Cost),
                    CostUtility.UtilityPerCost(top1.CiLow, shift.Curation.Cost), CostUtility.UtilityPerCost(top1.CiHigh, shift.Curation.Cost), top1.N);
            double? p = null;
            if (shift.Name != reference && perSeedTop1.TryGetValue(reference, out var refTop1))
                p = PairedP(perSeedTop1[shift.Name], refTop1);
            entries.Add(new LeaderboardEntry(shift.Name, shift.Curation.Strategy, shift.Curation.Images, shift.Curation.ClassesPresent,
                shift.Curation.Cost, metrics)
            { PValueVsReference = p, Fingerprint = shift.Curation.Fingerprint });
        }

        var curve = ExpertCurve(fractions, referenceShift, shifts);
        if (curve != null)
            for (int i = 0; i < entries.Count; i++)
            {
                var eq = curve.Equivalents.FirstOrDefault(e => e.Shift == entries[i].Name);
                if (eq == null || double.IsNaN(eq.Images)) continue;
                var metrics = new Dictionary<string, MetricSummary>(entries[i].Metrics)
                {
                    [Leaderboard.ExpertEquivalentImagesKey] = new(eq.Images, eq.Low, eq.High, seeds.Count),
                };
                entries[i] = entries[i] with { Metrics = metrics };
            }

        var board = Leaderboard.Rank(PrimaryMetric, entries, reference);
        var details = board.Shifts.Select(e => Detail(shifts.First(s => s.Name == e.Name), e)).ToList();
        return new Aggregate(board, details, curve, Agreement(board), Paper(board), Findings(board, reference));
    }

    /// <summary>Mean over seeds with a 95% interval (see the class summary for the rule).</summary>
    public static MetricSummary AcrossSeeds(IReadOnlyList<Interval> perSeed)
    {
        if (perSeed.Count == 0) throw new ArgumentException("no values", nameof(perSeed));
        var estimates = perSeed.Select(v => v.Estimate).ToArray();
        if (perSeed.Count >= 3)
        {
            var t = SeedStatistics.TInterval(estimates);
            return new MetricSummary(t.Estimate, t.Low, t.High, perSeed.Count);
        }
        return new MetricSummary(estimates.Average(), perSeed.Min(v => v.Low), perSeed.Max(v => v.High), perSeed.Count);
    }

    private static Dictionary<int, double> SeedValues(ShiftJobResults shift, string metric) =>
        shift.Evaluations.Where(p => p.Value.Values.ContainsKey(metric)).ToDictionary(p => p.Key, p => p.Value.Values[metric].Estimate);

    /// <summary>Paired t-test over the seeds both shifts have; null with fewer than two pairs.</summary>
    private static double? PairedP(IReadOnlyDictionary<int, double> a, IReadOnlyDictionary<int, double> b)
    {
        var common = a.Keys.Intersect(b.Keys).Order().ToArray();
        if (common.Length < 2) return null;
        return SeedStatistics.PairedTTestPValue(common.Select(s => a[s]).ToArray(), common.Select(s => b[s]).ToArray());
    }

    private static IEnumerable<(string Name, MetricSummary Summary)> CorruptionErrors(ShiftJobResults shift, ShiftJobResults reference)
    {
        var mce = new List<double>();
        var relative = new List<double>();
        foreach (var (seed, errors) in shift.CorruptionErrors)
        {
            if (!reference.CorruptionErrors.TryGetValue(seed, out var refErrors)) continue;
            var (_, m, rel) = CorruptionMetric.CorruptionErrors(errors, refErrors, $"{reference.Name} seed {seed}");
            mce.Add(m);
            relative.Add(rel.Values.Average());
        }
        if (mce.Count == 0) yield break;
        yield return (CorruptionMetric.MceKey, Spread(mce));
        yield return (CorruptionMetric.RelativeMceKey, Spread(relative));
    }

    private static MetricSummary Spread(IReadOnlyList<double> values) =>
        values.Count >= 3
            ? FromInterval(SeedStatistics.TInterval(values))
            : new MetricSummary(values.Average(), values.Min(), values.Max(), values.Count);

    private static MetricSummary FromInterval(Interval i) => new(i.Estimate, i.Low, i.High, i.N);

    private static ExpertSizeCurve? ExpertCurve(IReadOnlyList<FractionResults> fractions, ShiftJobResults? reference,
        IReadOnlyList<ShiftJobResults> shifts)
    {
        if (fractions.Count == 0 || reference == null) return null;
        var full = SeedValues(reference, PrimaryMetric);
        if (full.Count == 0) return null;
        var all = fractions.Append(new FractionResults(1.0, reference.Curation.Images, full)).OrderBy(f => f.Fraction).ToList();
        var sizes = all.SelectMany(f => f.Top1BySeed.Values.Select(_ => (double)f.Images)).ToArray();
        var accuracies = all.SelectMany(f => f.Top1BySeed.Values).ToArray();
        if (sizes.Distinct().Count() < 2) return null;
        var fit = ExpertEquivalentSize.Fit(sizes, accuracies);
        var points = all.Select(f => new ExpertSizePoint(f.Fraction, f.Images,
            Spread(f.Top1BySeed.Values.ToArray()))).ToList();
        var equivalents = new List<ExpertEquivalent>();
        foreach (var shift in shifts)
        {
            var acc = SeedValues(shift, PrimaryMetric).Values.ToArray();
            if (acc.Length == 0) continue;
            var eq = ExpertEquivalentSize.Estimate(sizes, accuracies, acc);
            equivalents.Add(new ExpertEquivalent(shift.Name, eq.Images, eq.Low, eq.High, eq.Extrapolated));
        }
        return new ExpertSizeCurve(points, fit.Intercept, fit.Slope, equivalents);
    }

    private static RankAgreementTable? Agreement(Leaderboard board)
    {
        if (board.Shifts.Count < 3) return null;
        var metrics = RankAgreementMetrics.Where(m => board.Shifts.All(s => s.Metrics.TryGetValue(m, out var v) && double.IsFinite(v.Mean))).ToList();
        if (metrics.Count < 2) return null;
        var values = board.Shifts.Select(s => (IReadOnlyList<double>)metrics.Select(m => s.Metrics[m].Mean).ToArray()).ToList();
        var matrix = RankAgreement.Compute(metrics, values);
        return new RankAgreementTable(matrix.Metrics, Jagged(matrix.Kendall), Jagged(matrix.Spearman), matrix.Shifts);
    }

    private static double[][] Jagged(double[,] m) =>
        Enumerable.Range(0, m.GetLength(0)).Select(i => Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j]).ToArray()).ToArray();

    private static IReadOnlyList<PaperComparisonRow> Paper(Leaderboard board) =>
        PaperTable2.Select(row => new PaperComparisonRow(row.Paper, row.Top1, row.Shift,
            board.Shifts.FirstOrDefault(s => s.Name == row.Shift)?.Metrics.GetValueOrDefault(PrimaryMetric))).ToList();

    /// <summary>The paper's qualitative findings (Feuer et al. 2024, sections 4-5), each decided with intervals where it compares shifts.</summary>
    public static IReadOnlyList<Finding> Findings(Leaderboard board, string reference)
    {
        MetricSummary? Get(string shift, string metric) =>
            board.Shifts.FirstOrDefault(s => s.Name == shift)?.Metrics.GetValueOrDefault(metric);
        string F(MetricSummary m) => Leaderboard.FormatCell(m);
        var findings = new List<Finding>();

        var expert = Get(reference, PrimaryMetric);
        var others = board.Shifts.Where(s => s.Name != reference && s.Metrics.ContainsKey(PrimaryMetric)).ToList();
        if (expert == null || others.Count == 0)
            findings.Add(new Finding("The expert shift is best on base accuracy", null, "the run has no expert base accuracy to compare"));
        else
        {
            var best = others.MaxBy(s => s.Metrics[PrimaryMetric].Mean)!;
            var bm = best.Metrics[PrimaryMetric];
            bool above = expert.Mean > bm.Mean;
            bool separated = expert.CiLow > bm.CiHigh;
            var p = best.PValueVsReference is { } pv ? string.Create(CultureInfo.InvariantCulture, $", paired p = {pv:0.###}") : "";
            findings.Add(new Finding("The expert shift is best on base accuracy", above,
                $"{reference} {F(expert)} vs best other ({best.Name}) {F(bm)}{p}; " +
                (above ? separated ? "intervals separate" : "ahead, but the intervals overlap (a statistical tie)"
                       : "another shift is ahead")));
        }

        findings.Add(Compare("Embedding search is above synthetic data on base accuracy", "embedding-search",
            ["synthetic-img2img", "synthetic-txt2img"], PrimaryMetric, Get, F));
        findings.Add(Compare("For synthetic data, img2img is above txt2img on base accuracy", "synthetic-img2img",
            ["synthetic-txt2img"], PrimaryMetric, Get, F));

        var crowd = Get("crowd-schema", DatasetAnalyticsMetric.LargestShareKey);
        var expertLs = Get(reference, DatasetAnalyticsMetric.LargestShareKey);
        if (crowd == null || expertLs == null)
            findings.Add(new Finding("The crowd shift's LS@5pct is high (long-tailed)", null, "the run has no LS@5pct for crowd-schema and the expert shift"));
        else
        {
            // A balanced shift puts ceil(0.05 K) / K of its images in its top 5% of classes (0.1 for K = 10); the
            // expert shift is balanced, so 'high' means clearly above it.
            bool high = crowd.Mean > 1.5 * expertLs.Mean;
            findings.Add(new Finding("The crowd shift's LS@5pct is high (long-tailed)", high,
                string.Create(CultureInfo.InvariantCulture,
                    $"crowd-schema LS@5pct {crowd.Mean:0.###} vs the balanced expert shift's {expertLs.Mean:0.###}; 'high' = above 1.5 x the expert's")));
        }
        return findings;
    }

    private static Finding Compare(string claim, string winner, IReadOnlyList<string> losers, string metric,
        Func<string, string, MetricSummary?> get, Func<MetricSummary, string> format)
    {
        var w = get(winner, metric);
        var ls = losers.Select(l => (Name: l, Value: get(l, metric))).Where(x => x.Value != null).ToList();
        if (w == null || ls.Count == 0) return new Finding(claim, null, $"the run lacks {winner} or {string.Join("/", losers)}");
        bool holds = ls.All(l => w.Mean > l.Value!.Mean);
        bool separated = ls.All(l => w.CiLow > l.Value!.CiHigh);
        var evidence = $"{winner} {format(w)} vs " + string.Join(", ", ls.Select(l => $"{l.Name} {format(l.Value!)}")) + "; " +
                       (holds ? separated ? "intervals separate" : "ahead, but the intervals overlap" : "not ahead of all");
        return new Finding(claim, holds, evidence);
    }

    private static ShiftDetail Detail(ShiftJobResults shift, LeaderboardEntry entry)
    {
        var evals = shift.Evaluations.Values.ToList();
        int k = shift.Curation.ClassCounts.Length;
        var perClass = Enumerable.Range(0, k).Select(c =>
        {
            var v = evals.Where(e => e.PerClassRecall.Length == k).Select(e => e.PerClassRecall[c]).ToArray();
            return v.Length == 0 ? double.NaN : v.Average();
        }).ToArray();
        var corruption = evals.SelectMany(e => e.CorruptionTop1.Keys).Distinct().ToDictionary(c => c, c =>
        {
            var rows = evals.Where(e => e.CorruptionTop1.ContainsKey(c)).Select(e => e.CorruptionTop1[c]).ToArray();
            return Enumerable.Range(0, rows[0].Length).Select(j => rows.Average(r => r[j])).ToArray();
        });
        Dictionary<string, MetricSummary> Prefixed(string prefix, string suffix) => entry.Metrics
            .Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal) && p.Key.EndsWith(suffix, StringComparison.Ordinal)
                        && p.Key.Length > prefix.Length + suffix.Length)
            .ToDictionary(p => p.Key[prefix.Length..^suffix.Length], p => p.Value);
        var transfer = Prefixed(TransferMetric.TaskPrefix, TransferMetric.TaskSuffix);
        var natural = Prefixed(NaturalOodMetric.SetPrefix, NaturalOodMetric.SetSuffix);
        var knn = new Dictionary<int, MetricSummary>();
        const string bankPrefix = SslKnnMetric.BankPrefix;
        var bank = entry.Metrics.Keys.Where(key => key.StartsWith(bankPrefix, StringComparison.Ordinal) && key.Contains("_top1_k"))
            .Select(key => int.Parse(key[bankPrefix.Length..key.IndexOf('_', bankPrefix.Length)], CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
        foreach (var (key, value) in Prefixed($"{bankPrefix}{bank}_top1_k", ""))
            if (int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kk)) knn[kk] = value;
        double nominal = (double)shift.Curation.TargetSize / k;
        return new ShiftDetail(shift.Name, shift.Curation.Strategy, shift.GridPng, shift.ClassNames, shift.Curation.ClassCounts,
            // LT@t of the paper: t = 500/1300 of the nominal per-class size (docs/metrics.md).
            nominal * 500.0 / 1300.0, perClass, corruption, transfer, knn, natural, shift.Curation.Cost);
    }
}
