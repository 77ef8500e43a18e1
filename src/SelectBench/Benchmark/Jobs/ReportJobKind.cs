using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelectBench.Common;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;
using SelectBench.Statistics;
using SelectBench.Reporting;

namespace SelectBench.Benchmark;

/// <summary>
/// The last job: reads every shift's curation, evaluations and analysis, computes the run statistics
/// (<see cref="ResultsAggregator"/>), and writes results.json, leaderboard.json/.csv/.md and report/index.html.
/// `selectbench run` then copies them to the top of the run folder.
/// </summary>
public sealed class ReportJobKind : IJobKind
{
    public const string KindName = "report";
    public const string ResultsFile = "results.json";
    public static readonly string[] PublishedFiles = ["leaderboard.json", "leaderboard.csv", "leaderboard.md", ResultsFile];
    public const string ReportFolder = "report";

    public string Name => KindName;

    public void Run(JobContext context)
    {
        var s = context.Job.Settings;
        var shiftNames = Strings(s["shifts"]);
        var reference = s["reference_shift"]!.GetValue<string>();
        var seeds = s["seeds"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        var fractions = s["expert_fractions"]!.AsArray().Select(n => n!.GetValue<double>()).ToArray();
        var fractionModels = Strings(s["fraction_models"]);

        var shifts = shiftNames.Select(name => ReadShift(context, name, seeds)).ToList();
        var fractionResults = new List<FractionResults>();
        for (int i = 0; i < fractionModels.Length; i++)
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
        var results = new BenchmarkResults(s["run_name"]!.GetValue<string>(), metadata, board,
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

    private static string[] Strings(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    private static RunMetadata Metadata(JobContext context, IReadOnlyList<int> seeds)
    {
        var s = context.Job.Settings;
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
        var settings = s["settings"]!.AsObject().ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "");
        return new RunMetadata(s["config_hash"]!.GetValue<string>(), s["profile"]?.GetValue<string>(), seeds, DateTime.UtcNow,
            stages, versions, machine, settings);
    }

    private static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
