using System.Text.RegularExpressions;
using SelectBench.Reporting;
using SkiaSharp;

namespace SelectBench.Tests.Reporting;

/// <summary>
/// Renders the report in headless Chromium (Debian package <c>chromium</c>): no console messages, every section
/// in the rendered DOM, every image decoded, and a screenshot kept in the test output folder (and in
/// docs/images/report-screenshot.png when SELECTBENCH_UPDATE_SCREENSHOT=1).
/// </summary>
public class ChromiumReportTests
{
    private const string UpdateScreenshotVariable = "SELECTBENCH_UPDATE_SCREENSHOT";

    /// <summary>Path of a real run's report/index.html to render instead of the fixture's (e.g. for the README screenshot).</summary>
    private const string ReportVariable = "SELECTBENCH_REPORT_HTML";

    [Fact]
    public void ConsoleDetectorReadsChromiumLogLines()
    {
        // Lines as Chromium 156 headless printed them for a page with console.error, console.log and an uncaught
        // exception (see HeadlessChromium), plus the browser-process noise around them.
        const string log = """
            /usr/bin/chromium: 9: [: 25276514304: unexpected operator
            [20483:20512:1127/091358.325306:ERROR:dbus/bus.cc:405] Failed to connect to the bus: Failed to connect to socket /run/dbus/system_bus_socket: No such file or directory
            [20483:20483:1127/091359.035231:INFO:CONSOLE:1] "deliberate failure 42", source: file:///tmp/crtest/err.html (1)
            [20971:20971:1127/091412.936799:INFO:CONSOLE:7] "Uncaught ReferenceError: undefinedFn is not defined", source: file:///tmp/crtest/err2.html (7)
            [1:1:0101/000000.000001:INFO:CONSOLE(12)] "old style, with a comma, inside", source: file:///a.html (12)
            """;
        var messages = ChromiumLog.ConsoleMessages(log);
        Assert.Equal(
        [
            new ConsoleMessage("INFO", "deliberate failure 42", "file:///tmp/crtest/err.html", 1),
            new ConsoleMessage("INFO", "Uncaught ReferenceError: undefinedFn is not defined", "file:///tmp/crtest/err2.html", 7),
            new ConsoleMessage("INFO", "old style, with a comma, inside", "file:///a.html", 12),
        ], messages);
        Assert.Empty(ChromiumLog.ConsoleMessages("[20483:20512:1127/091358.325306:ERROR:dbus/bus.cc:405] Failed to connect to the bus"));
    }

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void ABrowserThatHangsIsKilledWithItsChildren()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses /bin/sh and /proc");
        // A stand-in "browser" that starts a child and hangs: the run must fail after the timeout and leave no process behind.
        var folder = Directory.CreateTempSubdirectory("selectbench-hang-").FullName;
        try
        {
            var script = Path.Combine(folder, "hanging-browser.sh");
            var childPid = Path.Combine(folder, "child.pid");
            File.WriteAllText(script, $"#!/bin/sh\nsleep 60 &\necho $! > {childPid}\nsleep 60\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var browser = new HeadlessChromium(script, TimeSpan.FromSeconds(1.5));

            var failure = Assert.ThrowsAny<Exception>(() => browser.DumpDom(Path.Combine(folder, "page.html")));
            Assert.Contains("did not finish within 2 s (killed with its children)", failure.Message);
            int pid = int.Parse(File.ReadAllText(childPid).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            // Killed processes may linger as zombies until reaped; a zombie is state Z in /proc/<pid>/stat.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (Alive(pid) && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Assert.False(Alive(pid), $"the hanging browser's child {pid} survived the timeout");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        static bool Alive(int pid)
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat)) return false;
            try { return File.ReadAllText(stat).Split(' ')[2] != "Z"; }
            catch (IOException) { return false; }
        }
    }

    [SkippableFact]
    public void ConsoleDetectorCatchesADeliberateErrorInRealChromium()
    {
        var chromium = HeadlessChromium.RequireOrSkip();
        var folder = Directory.CreateTempSubdirectory("selectbench-console-").FullName;
        try
        {
            var page = Path.Combine(folder, "broken.html");
            File.WriteAllText(page, "<!DOCTYPE html><html><body><p id=\"ok\">page</p>\n" +
                "<script>console.error(\"deliberate failure 42\");\nmissingFunction();</script></body></html>");
            var run = chromium.DumpDom(page);

            Assert.Equal(0, run.ExitCode);
            Assert.Contains("<p id=\"ok\">page</p>", run.Stdout);
            var messages = run.ConsoleMessages;
            Assert.Contains(messages, m => m.Message == "deliberate failure 42" && m.Line == 2 && m.Source == new Uri(page).AbsoluteUri);
            Assert.Contains(messages, m => m.Message.StartsWith("Uncaught ReferenceError: missingFunction", StringComparison.Ordinal) && m.Line == 3);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [SkippableFact]
    public void ReportRendersInChromiumWithoutConsoleErrors()
    {
        var chromium = HeadlessChromium.RequireOrSkip();
        using var f = new BenchmarkResultsFixture();
        var given = Environment.GetEnvironmentVariable(ReportVariable);
        var report = string.IsNullOrEmpty(given) ? BenchmarkReport.Write(f.Results, f.RunFolder) : Path.GetFullPath(given);
        Assert.True(File.Exists(report), $"{ReportVariable}={given}: no such file");

        var dom = chromium.DumpDom(report);
        Assert.Equal(0, dom.ExitCode);
        Assert.True(dom.ConsoleMessages.Count == 0,
            "console messages while rendering the report:\n" + string.Join("\n", dom.ConsoleMessages.Select(m => $"{m.Source}:{m.Line}: {m.Message}")));
        foreach (var id in BenchmarkReport.SectionIds) Assert.Contains($"<section id=\"{id}\">", dom.Stdout);
        foreach (var id in new[] { "leaderboard-table", "findings-table", "cost-utility-table", "paper-table", "metadata-table" })
            Assert.Contains($"id=\"{id}\"", dom.Stdout);
        if (string.IsNullOrEmpty(given)) Assert.Equal(33, Regex.Matches(dom.Stdout, "<img ").Count);

        var shot = Path.Combine(OutputFolder(), "report-screenshot.png");
        File.Delete(shot);
        var run = chromium.Screenshot(report, shot, 1280, 3000);
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.ConsoleMessages);
        using (var image = SKBitmap.Decode(shot))
        {
            Assert.Equal((1280, 3000), (image.Width, image.Height));
            // The header band is drawn in #1d2330: the page's CSS was applied.
            var header = image.GetPixel(4, 4);
            Assert.Equal((0x1d, 0x23, 0x30), (header.Red, header.Green, header.Blue));
            // The leaderboard section below it is a white card, not an empty page.
            Assert.True(DistinctColours(image) > 200, "the screenshot looks blank");
        }
        if (Environment.GetEnvironmentVariable(UpdateScreenshotVariable) == "1")
        {
            var docs = Path.Combine(RepositoryRoot(), "docs", "images", "report-screenshot.png");
            Directory.CreateDirectory(Path.GetDirectoryName(docs)!);
            File.Copy(shot, docs, overwrite: true);
        }
    }

    /// <summary>Where screenshots are kept: &lt;test bin&gt;/test-output.</summary>
    private static string OutputFolder() => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "test-output")).FullName;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SelectBench.sln"))) return dir.FullName;
        throw new InvalidOperationException($"SelectBench.sln not found above {AppContext.BaseDirectory}");
    }

    private static int DistinctColours(SKBitmap image)
    {
        var seen = new HashSet<uint>();
        for (int y = 0; y < image.Height; y += 7)
            for (int x = 0; x < image.Width; x += 7)
                seen.Add((uint)image.GetPixel(x, y));
        return seen.Count;
    }
}
