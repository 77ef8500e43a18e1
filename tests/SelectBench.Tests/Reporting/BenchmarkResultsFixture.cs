using SelectBench.Analysis;
using SelectBench.Benchmark;
using SelectBench.Data;
using SelectBench.Reporting;
using SelectBench.Statistics;

namespace SelectBench.Tests.Reporting;

/// <summary>
/// A small but realistic <see cref="BenchmarkResults"/> for report tests: the six FashionMNIST++ shifts, ten
/// classes, two seeds, every metric family, and a 28x28-cell sample grid PNG per shift written under a
/// temporary run folder (deleted on dispose). Numbers are plausible, not measured.
/// </summary>
public sealed class BenchmarkResultsFixture : IDisposable
{
    public const string WorldFingerprint = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    public static readonly EngineDescription Engine = new("Test CPU 9000", "AVX512_CORE", 2);
    public static readonly string[] ShiftNames =
        ["expert", "embedding-search", "class-query-search", "crowd-schema", "synthetic-txt2img", "synthetic-img2img"];

    public string RunFolder { get; } = Path.Combine(Path.GetTempPath(), "selectbench-report-" + Guid.NewGuid().ToString("N")[..10]);
    public BenchmarkResults Results { get; }

    public BenchmarkResultsFixture()
    {
        Directory.CreateDirectory(RunFolder);
        Results = Build(RunFolder);
    }

    public void Dispose()
    {
        try { Directory.Delete(RunFolder, recursive: true); }
        catch (IOException) { /* a leftover temp folder is harmless */ }
    }

    // Per shift: strategy, base top-1, cost (dollars), label-noise rate, FID, class-count skew.
    private static readonly (string Strategy, double Top1, double Cost, double Noise, double Fid, double Skew)[] Profiles =
    [
        ("expert", 0.83, 2000, 0.00, 2.1, 0.0),
        ("embedding-search", 0.74, 120, 0.08, 6.5, 0.4),
        ("class-query-search", 0.66, 80, 0.15, 9.8, 0.8),
        ("crowd-schema", 0.735, 350, 0.11, 4.0, 1.6),
        ("synthetic", 0.41, 15, 0.02, 48.0, 0.1),
        ("synthetic", 0.52, 25, 0.02, 31.0, 0.1),
    ];

    private static BenchmarkResults Build(string runFolder)
    {
        var names = LabelSet.FashionMnist.Names;
        var entries = new List<LeaderboardEntry>();
        var details = new List<ShiftDetail>();
        for (int s = 0; s < ShiftNames.Length; s++)
        {
            var p = Profiles[s];
            var counts = ClassCounts(2000, p.Skew, s);
            var grid = s == 2 ? null : $"shifts/{ShiftNames[s]}/grid.png"; // class-query-search has none: the report notes it
            if (grid != null) WriteGrid(Path.Combine(runFolder, grid), names, s);
            double acc = p.Top1;
            var metrics = new Dictionary<string, MetricSummary>
            {
                ["base_top1"] = Ci(acc, 0.009),
                ["base_top5"] = Ci(Math.Min(0.999, acc + 0.15), 0.005),
                ["base_balanced_accuracy"] = Ci(acc - 0.01, 0.01),
                ["natural_fresh_top1"] = Ci(acc - 0.02, 0.012),
                ["natural_hard_top1"] = Ci(acc * 0.45, 0.02),
                ["natural_rendition_top1"] = Ci(acc * 0.6, 0.02),
                ["natural_ood_mean"] = Ci(acc * 0.68, 0.015),
                ["corruption_clean_top1"] = Ci(acc, 0.009),
                ["corruption_top1_mean"] = Ci(acc * 0.7, 0.01),
                ["mce"] = Ci(1.0 + (0.83 - acc), 0.02),
                ["relative_mce"] = Ci(1.0 + (0.83 - acc) * 0.8, 0.03),
                ["transfer_coarse_top1"] = Ci(0.88 - (0.83 - acc) * 0.3, 0.01),
                ["transfer_rotation_top1"] = Ci(0.71 - (0.83 - acc) * 0.2, 0.02),
                ["transfer_glyphs_top1"] = Ci(0.62 - (0.83 - acc) * 0.4, 0.025),
                ["transfer_mean"] = Ci(0.74 - (0.83 - acc) * 0.3, 0.02),
                ["knn_top1_k20"] = Ci(acc - 0.05, 0.014),
                ["knn_mean"] = Ci(acc - 0.06, 0.02),
                ["coverage"] = MetricSummary.Point(counts.Count(c => c > 0)),
                ["lt"] = MetricSummary.Point(counts.Count(c => c < 77)),
                ["ls_5pct"] = MetricSummary.Point((double)counts.Max() / counts.Sum()),
                ["gini"] = MetricSummary.Point(ClassDistribution.Gini(counts)),
                ["normalized_entropy"] = MetricSummary.Point(ClassDistribution.NormalisedEntropy(counts)),
                ["imbalance_ratio"] = MetricSummary.Point((double)counts.Max() / counts.Where(c => c > 0).Min()),
                ["label_noise_true"] = MetricSummary.Point(p.Noise),
                ["label_noise_est"] = MetricSummary.Point(p.Noise * 1.2 + 0.01),
                ["near_duplicates"] = MetricSummary.Point(3 * s),
                ["fid"] = MetricSummary.Point(p.Fid),
                ["kid"] = Ci(p.Fid / 900, p.Fid / 9000),
                ["cmmd"] = MetricSummary.Point(p.Fid / 40),
                ["vendi"] = MetricSummary.Point(9 - p.Fid / 10),
                ["precision"] = MetricSummary.Point(0.9 - p.Fid / 100),
                ["recall"] = MetricSummary.Point(0.8 - p.Fid / 120),
            };
            if (s > 0) metrics["expert_equivalent_images"] = new MetricSummary(ExpertImages(acc), ExpertImages(acc - 0.01), ExpertImages(acc + 0.01), 2);
            entries.Add(new LeaderboardEntry(ShiftNames[s], p.Strategy, counts.Sum(), counts.Count(c => c > 0), p.Cost, metrics)
            {
                PValueVsReference = s == 0 ? null : s == 1 ? 0.012 : 0.0004,
                Fingerprint = new string((char)('a' + s), 64),
            });
            details.Add(new ShiftDetail(ShiftNames[s], p.Strategy, grid, names, counts, 77,
                names.Select((_, c) => Math.Clamp(acc + 0.08 * Math.Sin(c + s) - (counts[c] < 120 ? 0.1 : 0), 0, 1)).ToArray(),
                CorruptionNames.ToDictionary(n => n, n => Enumerable.Range(1, 5).Select(sev => acc * (1 - 0.07 * sev * (1 + n.Length % 3 * 0.3))).ToArray()),
                new Dictionary<string, MetricSummary>
                {
                    ["coarse"] = metrics["transfer_coarse_top1"],
                    ["rotation"] = metrics["transfer_rotation_top1"],
                    ["glyphs"] = metrics["transfer_glyphs_top1"],
                },
                new Dictionary<int, MetricSummary> { [10] = Ci(acc - 0.04, 0.01), [20] = metrics["knn_top1_k20"], [100] = Ci(acc - 0.07, 0.01), [200] = Ci(acc - 0.09, 0.01) },
                new Dictionary<string, MetricSummary>
                {
                    ["fresh"] = metrics["natural_fresh_top1"],
                    ["hard"] = metrics["natural_hard_top1"],
                    ["rendition"] = metrics["natural_rendition_top1"],
                },
                p.Cost));
        }
        var board = Leaderboard.Rank("base_top1", entries, "expert");
        var order = board.Shifts.Select(e => e.Name).ToList();
        details = details.OrderBy(d => order.IndexOf(d.Name)).ToList();

        var rankMetrics = new[] { "base_top1", "natural_ood_mean", "knn_top1_k20", "fid", "cmmd", "ls_5pct", "label_noise_est" };
        var table = RankAgreement.Compute(rankMetrics,
            board.Shifts.Select(e => (IReadOnlyList<double>)rankMetrics.Select(m => e.Metrics[m].Mean).ToArray()).ToArray());

        double[] sizes = [250, 500, 1000, 2000];
        double[] top1 = [0.70, 0.76, 0.80, 0.83];
        var fit = ExpertEquivalentSize.Fit(sizes, top1);
        var curve = new ExpertSizeCurve(
            sizes.Select((n, i) => new ExpertSizePoint(n / 2000, (int)n, Ci(top1[i], 0.012))).ToArray(),
            fit.Intercept, fit.Slope,
            board.Shifts.Where(e => e.Name != "expert").Select(e =>
            {
                double n = fit.Invert(e.Metrics["base_top1"].Mean);
                return new ExpertEquivalent(e.Name, n, n * 0.8, n * 1.25, n < 250 || n > 2000);
            }).ToArray());

        var paper = new (string Paper, double Top1, string Shift)[]
        {
            ("IN1000", 0.779, "expert"), ("LA1000-img2img", 0.596, "embedding-search"), ("OI1000", 0.423, "crowd-schema"),
            ("SD1000-img2img", 0.252, "synthetic-img2img"), ("SD1000-txt2img", 0.237, "synthetic-txt2img"), ("LA1000-txt2img", 0.165, "class-query-search"),
        }.Select(r => new PaperComparisonRow(r.Paper, r.Top1, r.Shift, board.Shifts.First(e => e.Name == r.Shift).Metrics["base_top1"])).ToArray();

        Finding[] findings =
        [
            new("expert is best on base accuracy", true, "expert 0.83 [0.821, 0.839] vs next 0.74 [0.731, 0.749], p < 0.001"),
            new("embedding search is above synthetic", true, "0.74 vs 0.52, p = 0.0004"),
            new("img2img is above txt2img for synthetic", true, "synthetic-img2img 0.52 [0.511, 0.529] vs synthetic-txt2img 0.41 [0.401, 0.419]"),
            new("the crowd shift's LS@5pct is high", false, "crowd-schema LS@5pct 0.21 against expert 0.10; below the 0.25 the check uses"),
            new("synthetic shifts are worth less than 1/8 of the expert shift", null, "both equivalents are extrapolated below the smallest fraction"),
        ];

        var meta = new RunMetadata("3f2a9c1d7e0b", "quick", [0, 1], new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc),
            [new("curate", 6, 312.4), new("train", 12, 2210.0), new("evaluate", 12, 905.5), new("analyze", 1, 14.2)],
            new Dictionary<string, string> { ["selectbench"] = "0.1.0", [".NET"] = "10.0.12", ["TorchSharp"] = "0.107.0" },
            new Dictionary<string, string> { ["os"] = "Debian 12", ["cores"] = "2", ["memory"] = "8 GB" },
            new Dictionary<string, string> { ["model"] = "resnet20", ["width"] = "16", ["epochs"] = "6", ["N"] = "2000" })
        {
            Engine = Engine,
            WorldFingerprint = WorldFingerprint,
        };
        board = board with { Engine = Engine, WorldFingerprint = WorldFingerprint };
        return new BenchmarkResults("fashion-mnist-plus-quick", meta, board, details, curve, new RankAgreementTable(
            table.Metrics, ToJagged(table.Kendall), ToJagged(table.Spearman), table.Shifts), paper, findings);

        static double ExpertImages(double acc) => Math.Exp((acc - 0.3125) / 0.0668);
    }

    public static readonly string[] CorruptionNames =
    [
        "gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur", "motion_blur", "zoom_blur",
        "snow", "frost", "fog", "brightness", "contrast", "elastic_transform", "pixelate", "jpeg_compression",
    ];

    /// <summary>A 95% interval of half-width h over two seeds.</summary>
    public static MetricSummary Ci(double mean, double h) => new(mean, mean - h, mean + h, 2);

    /// <summary>Counts summing to <paramref name="total"/> with geometric decay exp(-skew * rank / K) over a shift-specific class order.</summary>
    private static int[] ClassCounts(int total, double skew, int shift)
    {
        const int k = 10;
        var weights = Enumerable.Range(0, k).Select(r => Math.Exp(-skew * r * 3.0 / k)).ToArray();
        double sum = weights.Sum();
        var counts = new int[k];
        for (int r = 0; r < k; r++) counts[(r * 3 + shift) % k] = (int)Math.Round(total * weights[r] / sum);
        counts[shift % k] += total - counts.Sum();
        return counts;
    }

    private static void WriteGrid(string path, IReadOnlyList<string> classNames, int shift)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rows = classNames.Select((name, c) => new SampleGridRow(name, Enumerable.Range(0, 4).Select(j =>
        {
            var pixels = new byte[28 * 28];
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    pixels[y * 28 + x] = (byte)(((x * (c + 1) + y * (j + 1) + shift * 17) % 29) * 8);
            return new SampleGridCell(pixels, 1, 28, 28);
        }).ToArray())).ToArray();
        SampleGrid.Write(path, rows, new SampleGridOptions(Title: ShiftNames[shift]));
    }

    private static double[][] ToJagged(double[,] grid) =>
        Enumerable.Range(0, grid.GetLength(0)).Select(i => Enumerable.Range(0, grid.GetLength(1)).Select(j => grid[i, j]).ToArray()).ToArray();
}
