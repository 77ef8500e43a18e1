using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SelectBench.Benchmark;
using SelectBench.Reporting;

namespace SelectBench.Tests.Reporting;

/// <summary>
/// The report laid out in headless Chromium at 1280 px (docs/report.md): no table or chart is wider than its section,
/// and the leaderboard's column toggle and header sorting work. A probe script appended to a copy of the report measures
/// the page and clicks, then writes what it found into the DOM, which <c>--dump-dom</c> prints.
/// </summary>
public partial class ChromiumLayoutTests
{
    private const int Width = 1280;

    [SkippableFact]
    public void At1280PxNoTableOrChartIsWiderThanItsSection()
    {
        var chromium = HeadlessChromium.RequireOrSkip();
        using var f = new BenchmarkResultsFixture();
        var probe = Probe(chromium, Wide(f.Results), f.RunFolder);

        Assert.Equal(Width, probe.GetProperty("viewport").GetInt32());
        Assert.Empty(probe.GetProperty("overflows").EnumerateArray().Select(e => e.GetString()));
        // The page itself never scrolls sideways.
        Assert.True(probe.GetProperty("pageWidth").GetInt32() <= Width, $"the page is {probe.GetProperty("pageWidth")} px wide");
        // The key columns of the leaderboard fit its card without scrolling; all columns scroll inside the card.
        Assert.False(probe.GetProperty("keyColumnsScroll").GetBoolean(), "the leaderboard's key columns do not fit the card at 1280 px");
        Assert.True(probe.GetProperty("allColumnsScroll").GetBoolean(), "with every column shown the table should scroll inside its card");
        // Every chart got its hover layer, drawn over the image at the image's size.
        Assert.True(probe.GetProperty("charts").GetInt32() >= 20);
        Assert.Equal(probe.GetProperty("charts").GetInt32(), probe.GetProperty("hoverLayersMatchingTheirImage").GetInt32());
    }

    [SkippableFact]
    public void TheLeaderboardTogglesColumnsAndSortsNumericallyInChromium()
    {
        var chromium = HeadlessChromium.RequireOrSkip();
        using var f = new BenchmarkResultsFixture();
        var results = Wide(f.Results);
        var probe = Probe(chromium, results, f.RunFolder);
        var columns = LeaderboardColumn.For(results);

        // Key columns only at first; the toggle shows all of them, and again hides the rest.
        int keys = columns.Count(c => c.Key);
        Assert.Equal(keys, probe.GetProperty("visibleBefore").GetInt32());
        Assert.Equal(columns.Count, probe.GetProperty("visibleAfterToggle").GetInt32());
        Assert.Equal("true", probe.GetProperty("pressedAfterToggle").GetString());
        Assert.Equal(keys, probe.GetProperty("visibleAfterSecondToggle").GetInt32());

        // Cost sorts by value (15 < 25 < 80 < 120 < 350 < 2,000), not as text ("120" < "15" < "2,000").
        Assert.Equal(["synthetic-txt2img", "synthetic-img2img", "class-query-search", "label-cleaning-on-embedding-search",
            "embedding-search", "semantic-dedup-and-prototype-pruning", "crowd-schema", "expert"], Strings(probe, "byCost"));
        Assert.Equal("ascending", probe.GetProperty("costSort").GetString());
        // base_top1 is higher-is-better: the first click puts the best first, the second reverses.
        var best = results.Leaderboard.Shifts.OrderByDescending(s => s.Metrics["base_top1"].Mean).Select(s => s.Name).ToArray();
        Assert.Equal(best, Strings(probe, "byTop1"));
        Assert.Equal(best.Reverse(), Strings(probe, "byTop1Again"));
        // The expert has no expert-equivalent size: it stays last both ways.
        Assert.Equal("expert", Strings(probe, "byEquivalent")[^1]);
        Assert.Equal("expert", Strings(probe, "byEquivalentAgain")[^1]);
        // Text columns sort alphabetically; the rank column puts rank 1 first.
        Assert.Equal(results.Leaderboard.Shifts.Select(s => s.Name).Order(StringComparer.Ordinal), Strings(probe, "byShift"));
        Assert.Equal(results.Leaderboard.Shifts.Select(s => s.Name), Strings(probe, "byRank"));
        // The rank header explains the rule on hover.
        Assert.Equal(Leaderboard.RankRule("base_top1"), probe.GetProperty("rankTitle").GetString());
    }

    /// <summary>
    /// The fixture widened to what a real run of the selection profile shows: 8 shifts (two with long names) and every
    /// metric the fixture has plus the kNN grid of the standard suite (about 50 metric columns), with exact zeros.
    /// </summary>
    internal static BenchmarkResults Wide(BenchmarkResults results)
    {
        var board = results.Leaderboard;
        var extra = new[] { ("label-cleaning-on-embedding-search", "label-cleaning", 0.745, 110.0), ("semantic-dedup-and-prototype-pruning", "semdedup", 0.71, 140.0) };
        var shifts = board.Shifts.Concat(extra.Select(e =>
        {
            var template = board.Shifts.First(s => s.Name == "embedding-search");
            var metrics = template.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value);
            metrics["base_top1"] = BenchmarkResultsFixture.Ci(e.Item3, 0.01);
            return template with { Name = e.Item1, Strategy = e.Item2, Cost = e.Item4, Metrics = metrics };
        })).Select(s =>
        {
            var metrics = s.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var n in new[] { "n5", "n10" })
                foreach (var top in new[] { "top1", "top5" })
                    foreach (var k in new[] { 10, 20, 100, 200 })
                        metrics[$"knn_{n}_{top}_k{k}"] = BenchmarkResultsFixture.Ci(s.Metrics["base_top1"].Mean - k / 2000.0, 0.01);
            metrics["leakage"] = new MetricSummary(0, 0, 0, 2);
            metrics["distractor_rate"] = MetricSummary.Point(0);
            return s with { Metrics = metrics };
        }).ToList();
        var ranked = Leaderboard.Rank(board.PrimaryMetric, shifts.Select(s => s with { Rank = 0, TiedWith = [] }), board.ReferenceShift);
        ranked = ranked with { Engine = board.Engine, WorldFingerprint = board.WorldFingerprint };
        var details = results.Shifts.Concat(extra.Select(e => results.Shifts.First(s => s.Name == "embedding-search") with { Name = e.Item1, Strategy = e.Item2, GridPng = null }));
        return results with { Leaderboard = ranked, Shifts = details.ToList() };
    }

    private static string[] Strings(JsonElement probe, string name) => probe.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static JsonElement Probe(HeadlessChromium chromium, BenchmarkResults results, string runFolder)
    {
        var report = BenchmarkReport.Write(results, runFolder);
        var page = Path.Combine(runFolder, "report", "probe.html");
        File.WriteAllText(page, File.ReadAllText(report).Replace("</body>", $"<script>{ProbeScript}</script></body>", StringComparison.Ordinal));
        var run = chromium.DumpDom(page, Width, 2000);
        Assert.Equal(0, run.ExitCode);
        Assert.True(run.ConsoleMessages.Count == 0,
            "console messages:\n" + string.Join("\n", run.ConsoleMessages.Select(m => $"{m.Source}:{m.Line}: {m.Message}")));
        var match = ProbeResult().Match(run.Stdout);
        Assert.True(match.Success, "the probe wrote no result; DOM tail:\n" + run.Stdout[Math.Max(0, run.Stdout.Length - 2000)..]);
        return JsonDocument.Parse(WebUtility.HtmlDecode(match.Groups[1].Value)).RootElement.Clone();
    }

    [GeneratedRegex("<pre id=\"probe-result\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex ProbeResult();

    /// <summary>Measures after layout, then clicks the toggle and headers and reads the rows back.</summary>
    private const string ProbeScript = """
        (function () {
          var out = { overflows: [] };
          out.viewport = document.documentElement.clientWidth;
          out.pageWidth = document.documentElement.scrollWidth;
          function name(el) { return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('alt') ? '[' + el.getAttribute('alt') + ']' : ''); }
          function inside(el, sec, what) {
            var r = el.getBoundingClientRect(), s = sec.getBoundingClientRect();
            var cs = getComputedStyle(sec), left = s.left + parseFloat(cs.paddingLeft), right = s.right - parseFloat(cs.paddingRight);
            if (r.left < left - 0.5 || r.right > right + 0.5 || r.width > right - left + 0.5)
              out.overflows.push(sec.id + ': ' + what + ' ' + name(el) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) +
                ' but the section content is ' + Math.round(left) + '..' + Math.round(right));
          }
          function check() {
            document.querySelectorAll('section').forEach(function (sec) {
              if (sec.scrollWidth > sec.clientWidth) out.overflows.push(sec.id + ': the section scrolls (' + sec.scrollWidth + ' > ' + sec.clientWidth + ')');
              sec.querySelectorAll('table').forEach(function (t) {
                var box = t.parentElement;
                // A wide table may scroll inside its own box, if that box fits the section and really scrolls.
                if (box.classList.contains('table-box') && getComputedStyle(box).overflowX === 'auto') inside(box, sec, 'table box of');
                else inside(t, sec, 'table');
              });
              sec.querySelectorAll('img, svg, figure, pre').forEach(function (el) { inside(el, sec, 'chart'); });
            });
          }
          check();
          var table = document.getElementById('leaderboard-table');
          var box = table.parentElement;
          function visible() { return Array.prototype.filter.call(table.tHead.rows[0].cells, function (c) { return c.offsetParent !== null; }).length; }
          function header(text) { return Array.prototype.find.call(table.tHead.rows[0].cells, function (c) { return c.textContent.replace(/[\u25B2\u25BC ]/g, '') === text; }); }
          function shifts() {
            var i = Array.prototype.indexOf.call(table.tHead.rows[0].cells, header('shift'));
            return Array.prototype.map.call(table.tBodies[0].rows, function (r) { return r.cells[i].textContent; });
          }
          out.keyColumnsScroll = box.scrollWidth > box.clientWidth;
          out.visibleBefore = visible();
          var toggle = document.querySelector('button.column-toggle[data-table=leaderboard-table]');
          toggle.click();
          out.visibleAfterToggle = visible();
          out.pressedAfterToggle = toggle.getAttribute('aria-pressed');
          out.allColumnsScroll = box.scrollWidth > box.clientWidth;
          check();
          toggle.click();
          out.visibleAfterSecondToggle = visible();
          header('cost($)').click(); out.byCost = shifts(); out.costSort = header('cost($)').getAttribute('aria-sort');
          header('base_top1').click(); out.byTop1 = shifts();
          header('base_top1').click(); out.byTop1Again = shifts();
          header('expert_equivalent_images').click(); out.byEquivalent = shifts();
          header('expert_equivalent_images').click(); out.byEquivalentAgain = shifts();
          header('shift').click(); out.byShift = shifts();
          header('rank').click(); out.byRank = shifts();
          out.rankTitle = header('rank').getAttribute('title');
          var charts = document.querySelectorAll('figure.chart');
          out.charts = charts.length;
          out.hoverLayersMatchingTheirImage = Array.prototype.filter.call(charts, function (fig) {
            var img = fig.querySelector('img').getBoundingClientRect(), svg = fig.querySelector('svg.hover');
            if (!svg || svg.querySelectorAll('title').length === 0) return false;
            var r = svg.getBoundingClientRect();
            return Math.abs(r.width - img.width) < 1.5 && Math.abs(r.height - img.height) < 1.5;
          }).length;
          var pre = document.createElement('pre');
          pre.id = 'probe-result';
          pre.textContent = JSON.stringify(out);
          document.body.appendChild(pre);
        })();
        """;
}
