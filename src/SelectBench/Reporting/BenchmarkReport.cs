using SelectBench.Benchmark;

namespace SelectBench.Reporting;

/// <summary>The run's report/index.html (replaced by the full report on merge).</summary>
public static class BenchmarkReport
{
    public static string Write(BenchmarkResults results, string runFolder, string? outputPath = null)
    {
        var path = outputPath ?? Path.Combine(runFolder, "report", "index.html");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var report = new HtmlReport($"SelectBench: {results.RunName}");
        report.Section("leaderboard", "Leaderboard").Preformatted(results.Leaderboard.ToMarkdown());
        report.Save(path);
        return path;
    }
}
