using SelectBench.Reporting;

namespace SelectBench.Tests.Reporting;

public class HtmlReportTests
{
    private static bool IsPng(byte[] b) => b.Length > 8 && b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G';

    [Fact]
    public void ChartsRenderPngs()
    {
        Assert.True(IsPng(Charts.BarsWithIntervals("acc", "top-1", ["a", "b"], [0.5, 0.7], [0.4, 0.65], [0.6, 0.75], [0.779, 0.596], "paper")));
        Assert.True(IsPng(Charts.Heatmap("h", new double[,] { { 1, 2 }, { double.NaN, 4 } }, ["r1", "r2"], ["c1", "c2"])));
        Assert.True(IsPng(Charts.LabelledScatter("s", "cost", "acc", [1, 10, 100], [0.2, 0.5, 0.9], ["x", "y", "z"], [0, 2], logX: true)));
        Assert.True(IsPng(Charts.Lines("k", "k", "top-1", [10, 20, 100], new Dictionary<string, double[]> { ["a"] = [0.1, 0.2, 0.3] })));
        Assert.True(IsPng(Charts.ClassCounts("counts", ["a", "b", "c"], [5, 50, 1], 3)));
    }

    [Fact]
    public void ReportIsSelfContainedAndEscapesText()
    {
        var png = Charts.Lines("k", "k", "y", [1, 2], new Dictionary<string, double[]> { ["a"] = [1, 2] });
        var html = new HtmlReport("Run <1>")
            .Section("leaderboard", "Leaderboard").Table(["shift", "top1"], [["expert & co", "0.9"]], id: "leaderboard-table")
            .Section("charts", "Charts").Image(png, "a chart", "caption")
            .Render();
        Assert.Contains("<title>Run &lt;1&gt;</title>", html);
        Assert.Contains("id=\"leaderboard-table\"", html);
        Assert.Contains("expert &amp; co", html);
        Assert.Contains("src=\"data:image/png;base64,", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public void ChartSpotsBecomeSvgTitlesInPngPixels()
    {
        var chart = Charts.GroupedBars("t", "y", ["a", "b"], [new BarSeries("s", [0.5, 0.0], [0.4, 0.0], [0.6, 0.0])], 400, 300);
        Assert.Equal((400, 300), (chart.Width, chart.Height));
        // One spot per bar; the bar at exactly 0 says "0" without an interval and is still a few pixels tall.
        Assert.Equal(["a: 0.5 [0.4, 0.6]", "b: 0"], chart.Spots.Select(s => s.Text));
        Assert.All(chart.Spots, s => Assert.InRange(s.X, 0, 400));
        Assert.True(chart.Spots[1].Height >= 4);
        // The first bar is taller than the second: its top is higher on the image.
        Assert.True(chart.Spots[0].Y < chart.Spots[1].Y);
        var html = new HtmlReport("r").Section("c", "C").Chart(chart, "bars <1>").Render();
        Assert.Contains("<svg class=\"hover\" viewBox=\"0 0 400 300\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect ", html);
        Assert.Contains("<title>a: 0.5 [0.4, 0.6]</title></rect>", html);
        Assert.Contains("alt=\"bars &lt;1&gt;\"", html);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public void SortableTableOrdersKeyColumnsFirstAndCarriesSortKeys()
    {
        var html = new HtmlReport("r").Section("s", "S").SortableTable(
            [new SortableColumn("extra", Key: false), new SortableColumn("name", Key: true, Numeric: false), new SortableColumn("value", Key: true, DescendingFirst: true)],
            [[new SortableCell("1,235", 1234.5), SortableCell.Label("a & b"), new SortableCell("0.5", 0.5, "[0.4, 0.6]")],
             [new SortableCell("–"), SortableCell.Label("c"), new SortableCell("0", 0.0)]], "t").Render();
        Assert.Contains("<button type=\"button\" class=\"column-toggle\" data-table=\"t\" aria-pressed=\"false\"", html);
        Assert.Contains("<tr><td class=\"label\">a &amp; b</td><td data-sort=\"0.5\">0.5<span class=\"ci\">[0.4, 0.6]</span></td><td class=\"extra\" data-sort=\"1234.5\">1,235</td></tr>", html);
        Assert.Contains("<tr><td class=\"label\">c</td><td data-sort=\"0\">0</td><td class=\"extra\">–</td></tr>", html);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<script>"));
    }
}
