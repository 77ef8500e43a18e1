using SelectBench.Reporting;
using SelectBench.Statistics;
using SelectBench.Common;

namespace SelectBench.Reporting;

/// <summary>
/// Everything the report of a finished run shows, gathered from the jobs' results by
/// ResultsAggregator and saved as &lt;run&gt;/results.json. The report is drawn from this
/// object alone, so it can be rebuilt (or drawn by other tools) without rerunning anything.
/// </summary>
/// <param name="RunName">The config's name (e.g. "fashion-mnist-plus-quick").</param>
/// <param name="Leaderboard">Ranked shifts with every metric (mean and 95% interval across seeds).</param>
/// <param name="Shifts">Per-shift detail for the charts, in leaderboard order.</param>
/// <param name="ExpertSize">The expert-equivalent-size curve; null when the run trained no expert fractions.</param>
/// <param name="RankAgreement">Kendall/Spearman between metrics across shifts; null with fewer than 3 shifts.</param>
/// <param name="Paper">The paper's Table 2 base accuracies beside ours.</param>
/// <param name="Findings">The paper's qualitative findings, checked on this run.</param>
public sealed record BenchmarkResults(
    string RunName,
    RunMetadata Metadata,
    Leaderboard Leaderboard,
    IReadOnlyList<ShiftDetail> Shifts,
    ExpertSizeCurve? ExpertSize,
    RankAgreementTable? RankAgreement,
    IReadOnlyList<PaperComparisonRow> Paper,
    IReadOnlyList<Finding> Findings);

/// <param name="ConfigHash">SHA-256 (12 hex) of the resolved config.</param>
/// <param name="Seeds">The training seeds.</param>
/// <param name="StageSeconds">Wall-clock seconds per stage (sum of its jobs' durations) in stage order.</param>
/// <param name="Versions">Component versions: selectbench, .NET, TorchSharp, ONNX Runtime, ...</param>
/// <param name="Machine">OS, cores, memory.</param>
/// <param name="Settings">Key settings worth showing (model, width, epochs, N, encoder, ...), already formatted.</param>
public sealed record RunMetadata(
    string ConfigHash,
    string? Profile,
    IReadOnlyList<int> Seeds,
    DateTime FinishedUtc,
    IReadOnlyList<StageTime> StageSeconds,
    IReadOnlyDictionary<string, string> Versions,
    IReadOnlyDictionary<string, string> Machine,
    IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>The CPU and numeric engine the report job ran on (null in results of older runs).</summary>
    public EngineDescription? Engine { get; init; }

    /// <summary>The world's content fingerprint (null in results of older runs); each shift's is in the leaderboard.</summary>
    public string? WorldFingerprint { get; init; }
}

public sealed record StageTime(string Stage, int Jobs, double Seconds);

/// <summary>What the charts need about one shift. Seed-dependent numbers are means over seeds.</summary>
/// <param name="GridPng">Path, relative to the run folder, of the shift's labelled sample grid PNG.</param>
/// <param name="ClassCounts">Images per class, in label-set order.</param>
/// <param name="LtThreshold">The LT@t threshold t in images (classes below it are long-tail).</param>
/// <param name="PerClassAccuracy">Base-set recall per class (mean over seeds), in label-set order.</param>
/// <param name="CorruptionTop1">Corruption name -> top-1 at severities 1..5 (mean over seeds).</param>
/// <param name="Transfer">Transfer task -> top-1 (mean and interval over seeds).</param>
/// <param name="Knn">k -> kNN top-1 on the headline memory-bank size.</param>
/// <param name="Natural">Natural eval set -> top-1 (mean and interval over seeds).</param>
public sealed record ShiftDetail(
    string Name,
    string Strategy,
    string? GridPng,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<int> ClassCounts,
    double LtThreshold,
    IReadOnlyList<double> PerClassAccuracy,
    IReadOnlyDictionary<string, double[]> CorruptionTop1,
    IReadOnlyDictionary<string, MetricSummary> Transfer,
    IReadOnlyDictionary<int, MetricSummary> Knn,
    IReadOnlyDictionary<string, MetricSummary> Natural,
    double Cost);

/// <summary>Expert accuracy at fractions of the expert shift, the log fit, and each shift's equivalent size.</summary>
public sealed record ExpertSizeCurve(
    IReadOnlyList<ExpertSizePoint> Points,
    double Intercept,
    double Slope,
    IReadOnlyList<ExpertEquivalent> Equivalents);

/// <param name="Images">Training images at this fraction.</param>
/// <param name="Top1">Base top-1 over seeds.</param>
public sealed record ExpertSizePoint(double Fraction, int Images, MetricSummary Top1);

/// <param name="Extrapolated">True when the shift's accuracy lies outside the measured range.</param>
public sealed record ExpertEquivalent(string Shift, double Images, double Low, double High, bool Extrapolated);

/// <summary>Row i, column j: rank correlation of metric i and metric j across shifts.</summary>
public sealed record RankAgreementTable(IReadOnlyList<string> Metrics, double[][] Kendall, double[][] Spearman, int Shifts);

/// <param name="PaperShift">The paper's name (IN1000, LA1000-img2img, ...).</param>
/// <param name="PaperTop1">Published base accuracy (Feuer et al. 2024, Table 2).</param>
/// <param name="Shift">Our analogue.</param>
/// <param name="Top1">Our base top-1; null when the run has no such shift.</param>
public sealed record PaperComparisonRow(string PaperShift, double PaperTop1, string Shift, MetricSummary? Top1);

/// <param name="Claim">The paper's finding in words.</param>
/// <param name="Holds">True, false, or null when the run lacks the shifts or metric to decide.</param>
/// <param name="Evidence">The numbers behind the verdict, with intervals and p-values.</param>
public sealed record Finding(string Claim, bool? Holds, string Evidence);
