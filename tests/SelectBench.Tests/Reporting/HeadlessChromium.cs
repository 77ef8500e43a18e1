using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SelectBench.Tests.Reporting;

/// <summary>What one Chromium process printed: the dumped DOM or status (stdout) and its log (stderr).</summary>
internal sealed record ChromiumRun(int ExitCode, string Stdout, string Log)
{
    public IReadOnlyList<ConsoleMessage> ConsoleMessages => ChromiumLog.ConsoleMessages(Log);
}

/// <summary>A message a page wrote to the DevTools console, as Chromium logged it.</summary>
internal sealed record ConsoleMessage(string Level, string Message, string Source, int Line);

/// <summary>
/// Reads page console messages out of Chromium's <c>--enable-logging=stderr</c> log. Chromium 156 headless
/// (Debian 156.0.8078.108) logs them as
/// <c>[20483:20483:1127/091359.035231:INFO:CONSOLE:1] "deliberate failure 42", source: file:///tmp/err.html (1)</c>;
/// older versions wrote <c>CONSOLE(1)</c> instead of <c>CONSOLE:1</c>. console.error, console.log and uncaught
/// exceptions ("Uncaught ReferenceError: ...") all appear at level INFO, so the level cannot tell an error
/// from a log line: the report (whose one script never logs) should produce no console message at all, and any
/// message counts as an error. Browser-process lines (dbus, GPU, sandbox warnings) are not console messages.
/// </summary>
internal static partial class ChromiumLog
{
    [GeneratedRegex("""^\[\d+:\d+:\d{4}/\d{6}\.\d+:(?<level>[A-Z]+\d*):CONSOLE(?::(?<line>\d+)|\((?<line>\d+)\))\] "(?<message>.*)", source: (?<source>.*?) \(\d+\)\s*$""",
        RegexOptions.Multiline)]
    private static partial Regex ConsoleLine();

    public static IReadOnlyList<ConsoleMessage> ConsoleMessages(string log) =>
        ConsoleLine().Matches(log).Select(m => new ConsoleMessage(m.Groups["level"].Value, m.Groups["message"].Value,
            m.Groups["source"].Value, int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
}

/// <summary>
/// Runs the Debian <c>chromium</c> package headless as a child process, one page per process, with a fresh
/// profile folder. A process that outlives the timeout is killed with its whole process tree.
/// </summary>
internal sealed class HeadlessChromium(string executable, TimeSpan timeout)
{
    public const string RequireVariable = "SELECTBENCH_REQUIRE_CHROMIUM";

    /// <summary>The chromium executable on PATH, or null.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .SelectMany(dir => new[] { Path.Combine(dir, "chromium"), Path.Combine(dir, "chromium-browser") })
        .FirstOrDefault(File.Exists);

    /// <summary>
    /// The browser, or a skip when it is missing; with SELECTBENCH_REQUIRE_CHROMIUM=1 (CI) a missing browser fails the test.
    /// </summary>
    public static HeadlessChromium RequireOrSkip()
    {
        var exe = Find();
        if (exe == null && Environment.GetEnvironmentVariable(RequireVariable) == "1")
            Assert.Fail($"chromium is not on PATH but {RequireVariable}=1: run scripts/install-deps.sh (as root) to install it.");
        Skip.If(exe == null, "chromium is not on PATH (apt-get install -y chromium, or run scripts/install-deps.sh).");
        return new HeadlessChromium(exe!, TimeSpan.FromSeconds(90));
    }

    public ChromiumRun DumpDom(string htmlFile) => Run(["--dump-dom", new Uri(htmlFile).AbsoluteUri]);

    /// <summary>The DOM after the page's scripts ran, laid out in a window of the given size (so scripts can measure it).</summary>
    public ChromiumRun DumpDom(string htmlFile, int width, int height) =>
        Run(["--dump-dom", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(htmlFile).AbsoluteUri]);

    public ChromiumRun Screenshot(string htmlFile, string pngFile, int width, int height) =>
        Run([$"--screenshot={pngFile}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(htmlFile).AbsoluteUri]);

    private ChromiumRun Run(IReadOnlyList<string> pageArgs)
    {
        var profile = Path.Combine(Path.GetTempPath(), "selectbench-chromium-" + Guid.NewGuid().ToString("N")[..10]);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No sandbox: tests run as root in containers, where Chromium's sandbox cannot start.
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--no-first-run", "--enable-logging=stderr", "--v=0", $"--user-data-dir={profile}",
                 })
            start.ArgumentList.Add(a);
        foreach (var a in pageArgs) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                Assert.Fail($"chromium did not finish within {timeout.TotalSeconds:0} s (killed with its children); log so far:\n{Tail(stderr)}");
            }
            process.WaitForExit(); // drains the redirected streams
            return new ChromiumRun(process.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            try { if (Directory.Exists(profile)) Directory.Delete(profile, recursive: true); }
            catch (IOException) { /* a profile file still held by a dying child: harmless temp leftover */ }
        }
    }

    private static string Tail(Task<string> log) => log.Wait(TimeSpan.FromSeconds(2)) ? log.Result[Math.Max(0, log.Result.Length - 4000)..] : "";
}
