using System.Text.RegularExpressions;
using SelectBench.Benchmark;
using SelectBench.Reporting;
using SelectBench.Statistics;
using SelectBench.Common;

namespace SelectBench.Tests.Reporting;

public class BenchmarkReportTests
{
    [Fact]
    public void WritesEverySectionOnceToReportIndexHtml()
    {
        using var f = new BenchmarkResultsFixture();
        var path = BenchmarkReport.Write(f.Results, f.RunFolder);

        Assert.Equal(Path.Combine(f.RunFolder, "report", "index.html"), path);
        Assert.Equal(["index.html"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName)); // no temp file left
        var html = File.ReadAllText(path);
        foreach (var id in BenchmarkReport.SectionIds)
            Assert.Single(Regex.Matches(html, $"<section id=\"{Regex.Escape(id)}\">"));
        Assert.Equal(13, BenchmarkReport.SectionIds.Count);
        // Sections appear in the documented order.
        var positions = BenchmarkReport.SectionIds.Select(id => html.IndexOf($"<section id=\"{id}\">", StringComparison.Ordinal)).ToArray();
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void ReportIsSelfContainedWithInlinePngs()
    {
        using var f = new BenchmarkResultsFixture();
        var html = File.ReadAllText(BenchmarkReport.Write(f.Results, f.RunFolder));

        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        // One inline script (sorting and the column toggle) that loads nothing: no src, no network calls.
        Assert.Single(Regex.Matches(html, "<script", RegexOptions.IgnoreCase));
        Assert.Contains("<script>(function () {", html);
        foreach (var call in new[] { "fetch(", "XMLHttpRequest", "import(", "WebSocket", "sendBeacon", ".src =", "<script src" })
            Assert.DoesNotContain(call, html);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html);
        // Every src/href is a data URI or an in-page anchor.
        foreach (Match m in Regex.Matches(html, "(?:src|href)=\"([^\"]*)\""))
            Assert.Matches("^(data:image/png;base64,|#)", m.Groups[1].Value);
        var images = Regex.Matches(html, "<img [^>]*src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.Equal(Regex.Matches(html, "<img ").Count, images.Count);
        // 8 families + 5 grids (one shift has none) + 6 histograms + long tail + 6 heat maps + transfer + kNN
        // + 2 rank heat maps + cost + expert curve + paper = 33.
        Assert.Equal(33, images.Count);
        foreach (Match m in images)
        {
            var png = Convert.FromBase64String(m.Groups[1].Value);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        }
    }

    [Fact]
    public void LeaderboardShowsIntervalsTiesPValuesAndFindings()
    {
        using var f = new BenchmarkResultsFixture();
        var html = File.ReadAllText(BenchmarkReport.Write(f.Results, f.RunFolder));
        var board = Section(html, "leaderboard");

        // expert: base_top1 0.83 +- 0.009 -> "0.83" over "[0.821, 0.839]", sorted by 0.83; rank 1, no tie. Key columns come first:
        // rank, shift, cost, then the primary metric.
        Assert.Contains("<tr><td data-sort=\"1\">1</td><td class=\"label\">expert</td><td data-sort=\"2000\">2,000</td>" +
                        "<td data-sort=\"0.83\">0.83<span class=\"ci\">[0.821, 0.839]</span></td>", board);
        // embedding-search 0.74 [0.731, 0.749] and crowd-schema 0.735 [0.726, 0.744] overlap: both rank 2, marked; the rank
        // column sorts by position on the leaderboard (2 and 3), so tied rows keep the leaderboard's order.
        Assert.Contains("<tr><td data-sort=\"2\" title=\"tied with crowd-schema\">2 ≈</td><td class=\"label\">embedding-search</td>", board);
        Assert.Contains("<td data-sort=\"3\" title=\"tied with embedding-search\">2 ≈</td><td class=\"label\">crowd-schema</td>", board);
        Assert.Contains("embedding-search ≈ crowd-schema", board);
        Assert.Matches("<th class=\"extra\" title=\"Paired p-value of the shift against expert on base_top1[^\"]*\" aria-sort=\"none\" tabindex=\"0\">p vs expert</th>", board);
        Assert.Contains("<td class=\"extra\" data-sort=\"0.012\">0.012</td>", board);
        Assert.Contains("<td class=\"extra\" data-sort=\"0.0004\">&lt; 0.001</td>", board);
        // The expert has no p-value against itself and no expert-equivalent size: a dash that sorts last.
        Assert.Contains("<td class=\"extra\">–</td>", board);
        // A whole-number point value shows without decimals (FID 48, coverage 10), others by magnitude (FID 31 vs 6.5).
        Assert.Contains("<td data-sort=\"48\">48</td>", board);
        Assert.Contains("<td data-sort=\"6.5\">6.5</td>", board);
        // The rank header explains the rule; metric headers say which direction is better.
        Assert.Contains($"<th title=\"{System.Net.WebUtility.HtmlEncode(Leaderboard.RankRule("base_top1"))}\" aria-sort=\"none\" tabindex=\"0\">rank</th>", board);
        Assert.Contains("title=\"fid: mean over seeds with its 95% interval; lower is better.\"", board);
        Assert.Contains("data-first=\"desc\" aria-sort=\"none\" tabindex=\"0\">base_<wbr>top1</th>", board);
        Assert.Contains("Show all ", board);
        Assert.Contains("<td>yes</td>", board);
        Assert.Contains("<td>no</td>", board);
        Assert.Contains("<td>undecided</td>", board);
        // Every metric of the run has a column (the key ones shown, the rest behind the toggle).
        foreach (var m in f.Results.Leaderboard.MetricNames()) Assert.Contains($">{m.Replace("_", "_<wbr>")}</th>", board);
        foreach (var m in new[] { "base_top1", "natural_ood_mean", "corruption_top1_mean", "knn_top1_k20", "transfer_mean", "coverage",
                     "label_noise_true", "fid", "expert_equivalent_images" })
            Assert.Matches($"<th (?!class=\"extra\")[^>]*>{m.Replace("_", "_<wbr>")}</th>", board);
        foreach (var m in new[] { "lt", "ls_5pct", "label_noise_est", "cmmd", "vendi", "base_top5", "kid" })
            Assert.Matches($"<th class=\"extra\"[^>]*>{m.Replace("_", "_<wbr>")}</th>", board);
    }

    [Fact]
    public void ChartsShowTheirValuesOnHover()
    {
        using var f = new BenchmarkResultsFixture();
        var html = File.ReadAllText(BenchmarkReport.Write(f.Results, f.RunFolder));
        // Every chart (all images but the sample grids) has a hover layer over it.
        Assert.Equal(Regex.Matches(html, "<figure class=\"chart\">").Count, Regex.Matches(html, "<svg class=\"hover\"").Count);
        Assert.Equal(33 - 5, Regex.Matches(html, "<figure class=\"chart\">").Count);
        // A bar of the base-accuracy family: shift, metric, mean and interval.
        Assert.Contains(Title("expert · base_top1: 0.83 [0.821, 0.839]"), Section(html, "families"));
        // A heat-map cell: 0.83 * (1 - 0.07 * 1 * 1.6) = 0.737 for gaussian_noise at severity 1.
        Assert.Contains(Title("gaussian_noise × severity 1: 0.737"), Section(html, "corruptions"));
        // A point of the cost scatter, a class-count bar and a kNN point.
        Assert.Contains("<title>expert: cost (US dollars) 2,000, base_top1 0.83</title>", Section(html, "cost-utility"));
        Assert.Matches("<title>[A-Za-z/-]+: 200 images</title>", Section(html, "class-counts"));
        Assert.Contains("<title>expert, k (neighbours) 20: top-1 0.78</title>", Section(html, "transfer-knn"));
        // The layer's coordinates are the PNG's pixels, so it scales with the image.
        static string Title(string text) => $"<title>{System.Net.WebUtility.HtmlEncode(text)}</title>";
        Assert.Matches("<img alt=\"cost against base top-1 with the Pareto frontier\" width=\"1000\" height=\"420\" src=\"data:image/png;base64,[^\"]+\"/><svg class=\"hover\" viewBox=\"0 0 1000 420\"", html);
    }

    [Fact]
    public void CaptionsCarryLsAndLtComputedFromTheCounts()
    {
        using var f = new BenchmarkResultsFixture();
        var html = File.ReadAllText(BenchmarkReport.Write(f.Results, f.RunFolder));
        // The expert shift is balanced: 200 images in each of 10 classes. LS@5pct takes ceil(0.05 * 10) = 1 class:
        // 200 / 2000 = 0.1; no class is below the threshold 77.
        Assert.Contains("expert: LS@5pct = 0.1; LT@77 = 0 of 10 classes; coverage 10.", Section(html, "class-counts"));
    }

    [Fact]
    public void CostUtilityTableHasUtilityPerDollarAndTheFrontier()
    {
        using var f = new BenchmarkResultsFixture();
        var html = Section(File.ReadAllText(BenchmarkReport.Write(f.Results, f.RunFolder)), "cost-utility");
        // 0.41 / $15 * 1000 = 27.333; cheapest shift, so on the frontier.
        Assert.Contains("<tr><td>synthetic-txt2img</td><td>15</td><td>0.41 [0.401, 0.419]</td><td>27.333</td><td>yes</td></tr>", html);
        // 0.735 / $350 * 1000 = 2.1; embedding-search costs less ($120) and scores more (0.74): dominated.
        Assert.Contains("<tr><td>crowd-schema</td><td>350</td><td>0.735 [0.726, 0.744]</td><td>2.1</td><td>no</td></tr>", html);
        // 0.83 / $2000 * 1000 = 0.415; best top-1, so on the frontier.
        Assert.Contains("<tr><td>expert</td><td>2,000</td><td>0.83 [0.821, 0.839]</td><td>0.415</td><td>yes</td></tr>", html);
    }

    [Fact]
    public void TheLeaderboardAndMetadataSayWhichDataOnWhichCpu()
    {
        using var f = new BenchmarkResultsFixture();
        var html = File.ReadAllText(BenchmarkReport.Write(f.Results, f.RunFolder));
        Assert.Contains("World 0123456789ab on Test CPU 9000 (oneDNN AVX512_CORE, 2 usable cores).", Section(html, "leaderboard"));
        var metadata = Section(html, "metadata");
        Assert.Contains($"<td>world fingerprint</td><td>{BenchmarkResultsFixture.WorldFingerprint}</td>", metadata);
        Assert.Contains("<td>CPU</td><td>Test CPU 9000</td>", metadata);
        Assert.Contains("<td>oneDNN ISA (native)</td><td>AVX512_CORE</td>", metadata);
        Assert.Contains("<td>usable cores</td><td>2</td>", metadata);
        Assert.Contains($"<td>expert</td><td>{new string('a', 64)}</td>", metadata);
        Assert.Contains("id=\"fingerprints-table\"", metadata);
    }

    [Fact]
    public void MissingOptionalPartsRenderNotesNotExceptions()
    {
        using var f = new BenchmarkResultsFixture();
        var bare = f.Results with
        {
            ExpertSize = null,
            RankAgreement = null,
            Paper = [],
            Findings = [],
            Shifts = f.Results.Shifts.Select(s => s with
            {
                GridPng = s.GridPng == null ? null : "shifts/missing/grid.png",
                CorruptionTop1 = new Dictionary<string, double[]>(),
                Transfer = new Dictionary<string, MetricSummary>(),
                Knn = new Dictionary<int, MetricSummary>(),
                PerClassAccuracy = [],
            }).ToArray(),
            Metadata = f.Results.Metadata with
            {
                StageSeconds = [],
                Versions = new Dictionary<string, string>(),
                Machine = new Dictionary<string, string>(),
                Settings = new Dictionary<string, string>(),
            },
        };
        var html = File.ReadAllText(BenchmarkReport.Write(bare, f.RunFolder));

        foreach (var id in new[] { "samples", "long-tail", "corruptions", "transfer-knn", "rank-agreement", "expert-size", "paper", "metadata" })
            Assert.Contains("class=\"note\"", Section(html, id));
        Assert.Contains("the sample grid shifts/missing/grid.png is missing from the run folder", Section(html, "samples"));
        Assert.Contains("class-query-search: no sample grid was rendered", Section(html, "samples"));
        Assert.Contains("No findings were checked", Section(html, "leaderboard"));
        Assert.Contains("This run trained no expert fractions", Section(html, "expert-size"));
    }

    [Fact]
    public void NaNsAndGapsDrawWithoutExceptions()
    {
        using var f = new BenchmarkResultsFixture();
        var shifts = f.Results.Shifts.ToArray();
        shifts[0] = shifts[0] with
        {
            PerClassAccuracy = shifts[0].PerClassAccuracy.Select((a, i) => i == 3 ? double.NaN : a).ToArray(),
            CorruptionTop1 = new Dictionary<string, double[]> { ["fog"] = [0.5, double.NaN, 0.3], ["snow"] = [0.6, 0.5, 0.4, 0.3, 0.2] },
            Knn = new Dictionary<int, MetricSummary> { [20] = new(double.NaN, double.NaN, double.NaN, 0) },
            Transfer = new Dictionary<string, MetricSummary> { ["coarse"] = new(0.8, double.NaN, double.NaN, 1) },
        };
        var board = f.Results.Leaderboard with
        {
            Shifts = f.Results.Leaderboard.Shifts.Select((e, i) => i == 1 ? e with { Cost = double.NaN } : e).ToArray(),
        };
        var curve = f.Results.ExpertSize! with
        {
            Equivalents = [new ExpertEquivalent("flat", double.NaN, double.NaN, double.NaN, true), new ExpertEquivalent("zero", 0, 0, 0, false)],
        };
        var results = f.Results with { Shifts = shifts, Leaderboard = board, ExpertSize = curve };

        var html = File.ReadAllText(BenchmarkReport.Write(results, f.RunFolder));
        foreach (var id in BenchmarkReport.SectionIds) Assert.Contains($"<section id=\"{id}\">", html);
        Assert.Contains("<td>flat</td><td>–</td><td>[–, –]</td>", Section(html, "expert-size"));
    }

    [Fact]
    public void EmptyLeaderboardStillWritesEverySection()
    {
        using var f = new BenchmarkResultsFixture();
        var empty = f.Results with
        {
            Leaderboard = new Leaderboard("base_top1", []),
            Shifts = [],
            ExpertSize = null,
            RankAgreement = null,
            Paper = [],
            Findings = [],
        };
        var html = File.ReadAllText(BenchmarkReport.Write(empty, f.RunFolder));
        foreach (var id in BenchmarkReport.SectionIds) Assert.Contains($"<section id=\"{id}\">", html);
        Assert.Contains("The leaderboard is empty", Section(html, "leaderboard"));
        Assert.Contains("No shift has both a cost and base_top1", Section(html, "cost-utility"));
    }

    [Fact]
    public void ReportFromResultsJsonEqualsReportFromTheObject()
    {
        // The report can be rebuilt from <run>/results.json alone: the contract survives the snake_case JSON round trip.
        using var f = new BenchmarkResultsFixture();
        var json = Path.Combine(f.RunFolder, "results.json");
        SelectBench.Common.AtomicFile.WriteJson(json, f.Results);
        var reread = SelectBench.Common.Json.Read<BenchmarkResults>(json);

        Assert.Equal(BenchmarkReport.Build(f.Results, f.RunFolder).Render(), BenchmarkReport.Build(reread, f.RunFolder).Render());
        Assert.Contains("\"tied_with\"", File.ReadAllText(json));
    }

    [Fact]
    public void CellsKeepPrecisionByMagnitude()
    {
        Assert.Equal("0.83 [0.821, 0.839]", BenchmarkReport.Cell(new MetricSummary(0.83, 0.821, 0.839, 2)));
        Assert.Equal("35.1 [33.0, 37.3]", BenchmarkReport.Cell(new MetricSummary(35.123, 33.0, 37.25, 3)));
        Assert.Equal("1,235 [980, 1,502]", BenchmarkReport.Cell(new MetricSummary(1234.5, 980.2, 1501.6, 2)));
        Assert.Equal("7", BenchmarkReport.Cell(MetricSummary.Point(7)));
        Assert.Equal("2,000", BenchmarkReport.Cell(MetricSummary.Point(2000)));
        // An interval that is a single point shows as the value alone: seed-invariant metrics and exact zeros.
        Assert.Equal("0.5", BenchmarkReport.Cell(new MetricSummary(0.5, 0.5, 0.5, 3)));
        Assert.Equal("0", BenchmarkReport.Cell(new MetricSummary(0, 0, 0, 3)));
        Assert.Equal("0", BenchmarkReport.Cell(MetricSummary.Point(0)));
        Assert.Equal("58", BenchmarkReport.Cell(new MetricSummary(58, 58, 58, 2)));
        // Values that round to zero print "0", never "-0"; a zero-width interval around a non-integer keeps its decimals.
        Assert.Equal("0.001 [0, 0.002]", BenchmarkReport.Cell(new MetricSummary(0.001, -0.0002, 0.002, 2)));
        Assert.Equal("0 [0, 0.002]", BenchmarkReport.Cell(new MetricSummary(-0.0001, -0.0003, 0.002, 2)));
        Assert.Equal("0 [-0.1, 0.1]", BenchmarkReport.Cell(new MetricSummary(0, -0.1, 0.1, 2)));
        // Unknown bounds leave the value; an unknown value is a dash.
        Assert.Equal("0.7", BenchmarkReport.Cell(new MetricSummary(0.7, double.NaN, double.NaN, 2)));
        Assert.Equal("–", BenchmarkReport.Cell(MetricSummary.Point(double.NaN)));
        Assert.Equal("–", BenchmarkReport.Cell(new MetricSummary(double.PositiveInfinity, 1, 2, 2)));
        // Dollars: a cost that rounds to no cents is not shown as free; a p-value that could not be computed is a dash.
        Assert.Equal("< 0.01", BenchmarkReport.Money(0.004));
        Assert.Equal("0", BenchmarkReport.Money(0));
        Assert.Equal("0.06", BenchmarkReport.Money(0.056));
        Assert.Equal("2,000", BenchmarkReport.Money(2000));
        Assert.Equal("–", BenchmarkReport.PValue(double.NaN));
        Assert.Equal("< 0.001", BenchmarkReport.PValue(0.0004));
    }

    [Fact]
    public void PanelsResolvePerSetMetricsThenTheirMean()
    {
        var natural = MetricFamily.All.Single(f => f.Title == "Natural OOD").Panels[0];
        string[] present = ["base_top1", "natural_ood_mean", "natural_rendition_top1", "natural_fresh_top1", "natural__top1x"];
        Assert.Equal(["natural_fresh_top1", "natural_rendition_top1", "natural_ood_mean"], natural.Resolve(present));
        var analytics = MetricFamily.All.Single(f => f.Title == "Dataset analytics");
        Assert.Equal(["coverage"], analytics.Panels[0].Resolve(["coverage", "fid"]));
    }

    [Fact]
    public void NewChartsRenderPngsOfTheExpectedSize()
    {
        var bars = Charts.GroupedBars("t", "y", ["a", "b", "c"],
            [new BarSeries("m1", [0.5, double.NaN, 0.7], [0.4, double.NaN, 0.65], [0.6, double.NaN, 0.8]), new BarSeries("m2", [0.2, 0.3, 0.4])], 400, 300);
        var scatter = Charts.GroupedScatter("t", "x", "y", [new PointSeries("a", [1, 2], [0.1, 0.2]), new PointSeries("b", [3], [0.3])], width: 400, height: 300);
        var curve = Charts.SizeCurve("t", "images", "top-1", [250, 500, 1000], [0.7, 0.76, 0.8], [0.69, 0.75, 0.79], [0.71, 0.77, 0.81],
            0.3, 0.07, [new MarkedSize("s", 700, 500, 900, false), new MarkedSize("flat", double.NaN, double.NaN, double.NaN, true)], 400, 300);
        var panels = Charts.Panels([bars, scatter, curve], 2);
        using var image = SkiaSharp.SKBitmap.Decode(panels);
        Assert.Equal(800, image.Width);   // two columns of 400
        Assert.Equal(600, image.Height);  // two rows of 300
        foreach (var png in new[] { bars, scatter, curve })
        {
            using var b = SkiaSharp.SKBitmap.Decode(png);
            Assert.Equal((400, 300), (b.Width, b.Height));
        }
    }

    /// <summary>The HTML of one section, from its opening tag to its closing tag.</summary>
    internal static string Section(string html, string id)
    {
        int start = html.IndexOf($"<section id=\"{id}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"section {id} is missing");
        int end = html.IndexOf("</section>", start, StringComparison.Ordinal);
        return html[start..end];
    }
}
