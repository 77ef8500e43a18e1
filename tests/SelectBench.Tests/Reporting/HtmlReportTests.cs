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
}
