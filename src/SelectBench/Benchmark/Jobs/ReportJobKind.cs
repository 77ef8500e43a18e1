using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SelectBench.Common;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;
using SelectBench.Statistics;
using SelectBench.Reporting;

namespace SelectBench.Benchmark;

/// <summary>Settings of the report job, as <see cref="BenchmarkPlan"/> writes them into plan.json.</summary>
/// <param name="RunName">The run config's name.</param>
/// <param name="Profile">The built-in profile the run came from; null for a config file.</param>
/// <param name="ConfigHash">The run config's hash.</param>
/// <param name="Shifts">Every shift, in config order.</param>
/// <param name="FractionModels">The expert-fraction models, one per <paramref name="ExpertFractions"/> entry.</param>
/// <param name="RunSettings">The settings the report's metadata shows ("settings" in plan.json), in their order.</param>
public sealed record ReportJobSettings(
    string RunName = "",
    string? Profile = null,
    string ConfigHash = "",
    IReadOnlyList<string> Shifts = null!,
    string ReferenceShift = "",
    IReadOnlyList<int> Seeds = null!,
    IReadOnlyList<double> ExpertFractions = null!,
    IReadOnlyList<string> FractionModels = null!,
    IReadOnlyList<string> ModelSuite = null!,
    IReadOnlyList<string> ShiftSuite = null!,
    [property: JsonPropertyName("settings")] JsonObject RunSettings = null!) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "reference_shift", ReferenceShift);
        SettingRules.NotEmpty(where, "config_hash", ConfigHash);
        if (Shifts is null || Seeds is null || ExpertFractions is null || FractionModels is null || RunSettings is null)
            throw new SelectBenchException($"{where}: shifts, seeds, expert_fractions, fraction_models and settings are required; rerun `selectbench run` to rewrite the plan.");
        if (FractionModels.Count != ExpertFractions.Count)
            throw new SelectBenchException($"{where}: {FractionModels.Count} fraction_models for {ExpertFractions.Count} expert_fractions; give one model per fraction.");
        foreach (var f in ExpertFractions)
            if (!(f > 0 && f < 1))
                throw new SelectBenchException($"{where}.expert_fractions: {f.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} is not allowed; give fractions in (0, 1).");
    }
}

/// <summary>
/// The last job: reads every shift's curation, evaluations and analysis, computes the run statistics
/// (<see cref="ResultsAggregator"/>), and writes results.json, leaderboard.json/.csv/.md and report/index.html.
/// `selectbench run` then copies them to the top of the run folder.
/// </summary>
[Registered(KindName, Description = "Computes the run statistics and writes results.json, the leaderboard and the HTML report", Settings = typeof(ReportJobSettings))]
public sealed class ReportJobKind(ReportJobSettings settings) : IJobKind
{
    public const string KindName = "report";
    public const string ResultsFile = "results.json";
    public static readonly string[] PublishedFiles = ["leaderboard.json", "leaderboard.csv", "leaderboard.md", ResultsFile];
    public const string ReportFolder = "report";

    public void Run(JobContext context)
    {
        var shiftNames = settings.Shifts;
        var reference = settings.ReferenceShift;
        var seeds = settings.Seeds;
        var fractions = settings.ExpertFractions;
        var fractionModels = settings.FractionModels;

        var shifts = shiftNames.Select(name => ReadShift(context, name, seeds)).ToList();
        var fractionResults = new List<FractionResults>();
        for (int i = 0; i < fractionModels.Count; i++)
        {
            var top1 = new Dictionary<int, double>();
            int images = 0;
            foreach (var seed in seeds)
            {
                var evalJob = BenchmarkPlan.EvaluateJob(fractionModels[i], seed);
                if (!context.Job.DependsOn.Contains(evalJob)) continue;
                top1[seed] = context.DependencyResult<EvaluateJobKind.Result>(evalJob).Values[ResultsAggregator.PrimaryMetric].Estimate;
                images = context.DependencyResult<TrainJobKind.Result>(BenchmarkPlan.TrainJob(fractionModels[i], seed)).Images;
            }
            if (top1.Count > 0) fractionResults.Add(new FractionResults(fractions[i], images, top1));
        }

        var aggregate = ResultsAggregator.Run(shifts, reference, seeds, fractionResults);
        var worldFingerprint = context.DependencyResult<WorldJobKind.Result>(BenchmarkPlan.WorldJob).Fingerprint;
        var engine = EngineDescription.Of(JobEngines(context));
        var board = aggregate.Leaderboard with { WorldFingerprint = worldFingerprint, Engine = engine };
        var metadata = Metadata(context, seeds) with { WorldFingerprint = worldFingerprint, Engine = engine };
        var results = new BenchmarkResults(settings.RunName, metadata, board,
            aggregate.Details, aggregate.ExpertSize, aggregate.RankAgreement, aggregate.Paper, aggregate.Findings);
        board.WriteAll(context.OutputDir, Reporting.BenchmarkReport.KeyMetrics);
        AtomicFile.WriteJson(Path.Combine(context.OutputDir, ResultsFile), results);
        Reporting.BenchmarkReport.Write(results, context.RunRoot, Path.Combine(context.OutputDir, ReportFolder, "index.html"));
        context.WriteResult(new { Shifts = shiftNames, board.PrimaryMetric, Leader = board.Shifts.FirstOrDefault()?.Name, WorldFingerprint = worldFingerprint });
    }

    /// <summary>The engine states the run's finished jobs recorded (<see cref="RunFolder.EngineFile"/>).</summary>
    private static IEnumerable<Engine.EngineState> JobEngines(JobContext context)
    {
        var run = new RunFolder(context.RunRoot);
        foreach (var job in run.LoadPlan().Jobs)
        {
            var path = Path.Combine(run.JobFolder(job.Id), RunFolder.EngineFile);
            if (File.Exists(path)) yield return Json.Read<Engine.EngineState>(path);
        }
    }

    private static ShiftJobResults ReadShift(JobContext context, string name, IReadOnlyList<int> seeds)
    {
        var curateJob = BenchmarkPlan.CurateJob(name);
        var curation = context.DependencyResult<CurateJobKind.Result>(curateJob);
        var grid = Path.Combine(context.DependencyFolder(curateJob), BenchmarkInputs.GridFile);
        var evaluations = new Dictionary<int, EvaluateJobKind.Result>();
        var errors = new Dictionary<int, CorruptionReference>();
        foreach (var seed in seeds)
        {
            var job = BenchmarkPlan.EvaluateJob(name, seed);
            if (!context.Job.DependsOn.Contains(job)) continue;
            evaluations[seed] = context.DependencyResult<EvaluateJobKind.Result>(job);
            var errorsPath = Path.Combine(context.DependencyFolder(job), CorruptionMetric.Name, CorruptionMetric.ErrorsFile);
            if (File.Exists(errorsPath)) errors[seed] = Json.Read<CorruptionReference>(errorsPath);
        }
        var analyseJob = BenchmarkPlan.AnalyseJob(name);
        var analysis = context.Job.DependsOn.Contains(analyseJob) ? context.DependencyResult<AnalyseJobKind.Result>(analyseJob) : null;
        var shiftFolder = Path.Combine(context.DependencyFolder(curateJob), BenchmarkInputs.ShiftFolder);
        var classNames = Curation.ShiftStore.Load(shiftFolder).Images.LabelSet.Names;
        return new ShiftJobResults(name, curation, File.Exists(grid) ? Path.GetRelativePath(context.RunRoot, grid) : null, classNames,
            evaluations, errors, analysis);
    }

    private RunMetadata Metadata(JobContext context, IReadOnlyList<int> seeds)
    {
        var run = new RunFolder(context.RunRoot);
        var plan = run.LoadPlan();
        var stages = plan.Jobs.GroupBy(j => j.Stage).Where(g => g.Key != "report").Select(g =>
        {
            var statuses = g.Select(j => run.ReadStatus(j.Id)).OfType<JobStatus>().Where(st => st.EndedAt != null).ToList();
            double seconds = statuses.Count == 0 ? 0 : (statuses.Max(st => st.EndedAt!.Value) - statuses.Min(st => st.StartedAt)).TotalSeconds;
            return new StageTime(g.Key, g.Count(), Math.Round(seconds, 1));
        }).ToList();
        var versions = new Dictionary<string, string>
        {
            ["selectbench"] = Version(typeof(ReportJobKind).Assembly),
            [".NET"] = RuntimeInformation.FrameworkDescription,
            ["TorchSharp"] = Version(typeof(TorchSharp.torch).Assembly),
            ["ONNX Runtime"] = Version(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly),
            ["SkiaSharp"] = Version(typeof(SkiaSharp.SKBitmap).Assembly),
            ["ScottPlot"] = Version(typeof(ScottPlot.Plot).Assembly),
            ["job code version"] = BenchmarkPlan.CodeVersion,
        };
        var machine = new Dictionary<string, string>
        {
            ["os"] = RuntimeInformation.OSDescription,
            ["architecture"] = RuntimeInformation.OSArchitecture.ToString(),
            ["cores"] = Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["memory"] = $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB",
            ["host"] = Environment.MachineName,
        };
        var shown = settings.RunSettings.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "");
        return new RunMetadata(settings.ConfigHash, settings.Profile, seeds, DateTime.UtcNow,
            stages, versions, machine, shown);
    }

    private static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
