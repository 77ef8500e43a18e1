using System.Globalization;
using System.Text;
using SelectBench.Common;
using SelectBench.Evaluation.Suite;
using SelectBench.Reporting;
using SelectBench.Running;
using SelectBench.Statistics;

namespace SelectBench.Benchmark.Prediction;

/// <summary>How <see cref="PredictionRunner.Run"/> runs; every field is optional.</summary>
/// <param name="Proxies">Proxy names ("all" for every one); empty: every proxy with a full run, else the one the reference runs recommend.</param>
/// <param name="FullRun">A finished `selectbench run` folder of the same config to score the proxies against; null: none.</param>
/// <param name="Executor">A registered executor; null: the config's.</param>
/// <param name="Parallel">Local executors: jobs at once; null: the config's.</param>
/// <param name="ReferenceRuns">The reference runs to recommend from; null: the built-in ones (reference-runs/).</param>
public sealed record PredictionOptions(
    IReadOnlyList<string>? Proxies = null,
    string? FullRun = null,
    string? Executor = null,
    int? Parallel = null,
    BootstrapSettings? Bootstrap = null,
    IReadOnlyList<ReferenceRun>? ReferenceRuns = null,
    Action<string>? Log = null,
    Action<string>? Progress = null);

/// <summary>One proxy's measurement, and its score when a full run was given.</summary>
/// <param name="CpuSeconds">Sum over the proxy's jobs of wall time x threads (status.json); shared jobs (world, encoder, curation) are not counted.</param>
/// <param name="Scores">Shift -> the proxy's raw value (seed mean for trainings), as its metric reports it.</param>
public sealed record ProxyResult(string Name, string Family, string Description, bool LowerIsBetter, double CpuSeconds,
    IReadOnlyDictionary<string, double> Scores)
{
    public double? CostRatio { get; init; }
    public Interval? DecisionAccuracy { get; init; }
    public double? KendallTau { get; init; }
}

/// <summary>A shift's predicted rank (by <see cref="PredictionReport.RankedBy"/>), and its rank in full training when known.</summary>
public sealed record ShiftPrediction(string Name, int PredictedRank, double ProxyScore, int? FullRank = null, double? FullTop1 = null);

/// <summary>prediction.json: what `selectbench predict` found (docs/prediction.md#outputs).</summary>
/// <param name="FullCpuSeconds">The full run's training jobs of the shifts, CPU-seconds; null without a full run.</param>
/// <param name="RankedBy">The proxy whose scores give <see cref="Shifts"/>' predicted ranks.</param>
public sealed record PredictionReport(string RunName, string ConfigHash, string? FullRun, double? FullCpuSeconds, IReadOnlyList<int> Seeds,
    IReadOnlyList<ProxyResult> Proxies, string RankedBy, ProxyRecommendation? Recommendation, IReadOnlyList<ShiftPrediction> Shifts);

/// <summary>What a prediction did; <see cref="Report"/> is null when a job failed.</summary>
public sealed record PredictionRunResult(RunFolder Run, JobPlan Plan, RunSummary Summary, PredictionReport? Report);

/// <summary>
/// `selectbench predict` as a library call (docs/prediction.md): chooses the proxies, runs their jobs like a benchmark run
/// (cached and resumable in the output folder), reads each proxy's scores and cost, scores them against a full run when
/// one is given, ranks the shifts with the chosen proxy and writes prediction.json, prediction.md, reference.json (with a
/// full run: this run as a reference run) and report/index.html.
/// </summary>
public static class PredictionRunner
{
    public const string PredictionFile = "prediction.json";
    public const string MarkdownFile = "prediction.md";
    public const string ReferenceFile = "reference.json";

    /// <summary>Where predict writes by default when given a full run: inside it, where its report finds the prediction.</summary>
    public static string DefaultFolder(string fullRun) => Path.Combine(fullRun, ProxyFrontierChart.PredictionFolder);

    public static PredictionRunResult Run(RunConfig config, string folder, PredictionOptions options, CancellationToken cancellation)
    {
        var log = options.Log ?? (_ => { });
        var references = options.ReferenceRuns ?? ReferenceRuns.BuiltIn();
        var proxies = ChooseProxies(options, references);
        var run = new RunFolder(folder);
        using var runLock = RunLock.Acquire(run);
        var plan = PredictionPlan.Build(config, proxies);
        log($"predict:  {config.Name} (config {config.Hash}) -> {run.Root}");
        log($"proxies:  {string.Join(", ", proxies.Select(p => p.Name))} ({plan.Jobs.Count} jobs)");
        if (options.FullRun is { } fullRun && AdoptShared(new RunFolder(fullRun), run, plan) is { Count: > 0 } adopted)
            log($"reused:   {string.Join(", ", adopted)} from the full run (same keys)");
        var summary = Execute(config, run, plan, options, cancellation);
        if (!summary.Succeeded) return new PredictionRunResult(run, plan, summary, null);

        var shifts = config.Curation.Shifts.Select(s => s.Name).ToList();
        var measured = proxies.Select(p => Measure(run, p, shifts, config.Seeds)).ToList();
        FullRunMeasurement? full = options.FullRun is { } fullFolder ? ReadFullRun(fullFolder, plan, shifts, config.Seeds) : null;
        var results = measured.Select(m => ToResult(m, shifts, full, options.Bootstrap)).ToList();

        var recommendation = ReferenceRuns.Recommend(references, proxies.Select(p => p.Name).ToList());
        if (recommendation is null && full is not null)
            recommendation = ReferenceRuns.Recommend([AsReference("this run", config, full.CpuSeconds, results)], proxies.Select(p => p.Name).ToList()) is { } own
                ? own with { Basis = $"the full run {full.Folder}" } : null;
        var rankedBy = recommendation?.Proxy ?? proxies[0].Name;
        var ranking = measured.Single(m => m.Proxy.Name == rankedBy);
        var report = new PredictionReport(config.Name, config.Hash, full?.Folder, full?.CpuSeconds, config.Seeds, results, rankedBy, recommendation,
            Shifts(shifts, ranking, full));
        Write(run.Root, report, config);
        return new PredictionRunResult(run, plan, summary, report);
    }

    private static IReadOnlyList<Proxy> ChooseProxies(PredictionOptions options, IReadOnlyList<ReferenceRun> references)
    {
        if (options.Proxies is { Count: > 0 } names) return ProxyLadder.Select(names);
        if (options.FullRun is not null) return ProxyLadder.All;
        var recommendation = ReferenceRuns.Recommend(references, ProxyLadder.Names)
            ?? throw new BadInputException("--proxies", "no reference run ships with this build to recommend a proxy from; give --full RUN " +
                                                       "(a finished run of the same config) to score every proxy, or name proxies with --proxies.");
        return [ProxyLadder.Get(recommendation.Proxy)];
    }

    private static RunSummary Execute(RunConfig config, RunFolder run, JobPlan plan, PredictionOptions options, CancellationToken cancellation)
    {
        var executorKind = options.Executor is { } kind ? Executors.Resolve(kind, "executor") : config.Executor.Kind;
        var force = ForceSelector.None;
        var toRun = plan.Jobs.Where(j => !run.IsDone(j)).ToList();
        var weights = plan.Jobs.ToDictionary(j => j.Id, BenchmarkPlan.EstimatedSeconds);
        using var bar = new ProgressBar("predict", Math.Max(1, (long)Math.Round(toRun.Sum(j => weights[j.Id]))));
        void Finished(JobOutcome outcome) => bar.Advance((long)Math.Round(weights[outcome.Id]),
            $"{(outcome.Kind == JobOutcomeKind.Ran ? "done" : outcome.Kind.ToString().ToLowerInvariant())} {outcome.Id} ({outcome.Duration.TotalSeconds:F1} s)");
        void Progress(string line)
        {
            if (!line.Contains(" done ", StringComparison.Ordinal)) options.Progress?.Invoke(line);
        }
        var section = BenchmarkRunner.ExecutorSection(config.Executor, new BenchmarkRunOptions(Parallel: options.Parallel));
        var executor = Executors.Create(executorKind, section, "executor").Create(new ExecutorEvents(Progress, Finished));
        return executor.Run(run, plan, force, cancellation);
    }

    /// <summary>
    /// Copies the full run's finished world, encoder and curation jobs into the prediction folder when their keys match
    /// (they are the same specs, <see cref="PredictionPlan"/>), so predict does not build the world and the shifts again.
    /// </summary>
    private static List<string> AdoptShared(RunFolder full, RunFolder run, JobPlan plan)
    {
        var adopted = new List<string>();
        foreach (var job in plan.Jobs.Where(j => j.Stage != PredictionPlan.Stage))
        {
            if (run.IsDone(job) || !full.IsDone(job)) continue;
            var target = run.JobFolder(job.Id);
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            CopyFolder(full.JobFolder(job.Id), target);
            adopted.Add(job.Id);
        }
        return adopted;
    }

    private static void CopyFolder(string source, string target, bool jobFolder = true)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
            if (!jobFolder || Path.GetFileName(file) != RunFolder.DoneMarker) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(source))
            CopyFolder(folder, Path.Combine(target, Path.GetFileName(folder)), jobFolder: false);
        // The job's done marker last: a copy cut short is not taken for a finished job.
        if (jobFolder) File.Copy(Path.Combine(source, RunFolder.DoneMarker), Path.Combine(target, RunFolder.DoneMarker));
    }

    /// <summary>A proxy's values per shift (one column, or one per seed) and its CPU-seconds.</summary>
    internal sealed record ProxyMeasurement(Proxy Proxy, double[][] Values, double CpuSeconds);

    /// <summary>Full training: base top-1 per shift and seed, and the CPU-seconds of the shifts' training jobs.</summary>
    internal sealed record FullRunMeasurement(string Folder, double[][] Top1, double CpuSeconds);

    private static ProxyMeasurement Measure(RunFolder run, Proxy proxy, IReadOnlyList<string> shifts, IReadOnlyList<int> seeds)
    {
        var values = new double[shifts.Count][];
        var jobs = new List<string>();
        for (int i = 0; i < shifts.Count; i++)
        {
            var shift = shifts[i];
            switch (proxy.Family)
            {
                case ProxyFamily.Metric:
                    jobs.Add(proxy.JobId(shift));
                    values[i] = [Json.Read<AnalyseJobKind.Result>(run.ResultPath(proxy.JobId(shift))).Values.TryGetValue(proxy.ResultKey, out var v) ? v.Estimate : double.NaN];
                    break;
                case ProxyFamily.Probe:
                    jobs.Add(proxy.JobId(shift));
                    values[i] = [Json.Read<LinearProbeJobKind.Result>(run.ResultPath(proxy.JobId(shift))).Values[proxy.ResultKey]];
                    break;
                default:
                    values[i] = seeds.Select(seed =>
                    {
                        jobs.Add(proxy.TrainJobId(shift, seed));
                        jobs.Add(proxy.EvaluateJobId(shift, seed));
                        return Json.Read<EvaluateJobKind.Result>(run.ResultPath(proxy.EvaluateJobId(shift, seed))).Values[proxy.ResultKey].Estimate;
                    }).ToArray();
                    break;
            }
        }
        return new ProxyMeasurement(proxy, values, jobs.Distinct().Sum(id => CpuSeconds(run, id)));
    }

    /// <summary>
    /// A finished job's wall time x its threads, from its status.json: every ended attempt with the job's current key, since a
    /// resumed training continues from the checkpoint an interrupted attempt paid for.
    /// </summary>
    internal static double CpuSeconds(RunFolder run, string id)
    {
        var status = run.ReadStatus(id) ?? throw new SelectBenchException($"{run.JobFolder(id)}: no status.json; the job has not run.");
        var seconds = status.History.Where(a => a.EndedAt is not null).Sum(a => (a.EndedAt!.Value - a.StartedAt).TotalSeconds);
        return seconds > 0 ? seconds * Math.Max(1, status.Threads) : double.NaN;
    }

    private static FullRunMeasurement ReadFullRun(string folder, JobPlan predictPlan, IReadOnlyList<string> shifts, IReadOnlyList<int> seeds)
    {
        var full = new RunFolder(folder);
        var plan = full.LoadPlan();
        foreach (var shift in shifts)
        {
            var curate = BenchmarkPlan.CurateJob(shift);
            if (!plan.Contains(curate) || plan[curate].Key != predictPlan[curate].Key)
                throw new BadInputException(folder, $"its {curate} was planned from another config than this one (or is missing); give --full a run of the same config.");
        }
        var top1 = new double[shifts.Count][];
        double cpu = 0;
        for (int i = 0; i < shifts.Count; i++)
        {
            top1[i] = new double[seeds.Count];
            for (int s = 0; s < seeds.Count; s++)
            {
                var train = BenchmarkPlan.TrainJob(shifts[i], seeds[s]);
                var evaluate = BenchmarkPlan.EvaluateJob(shifts[i], seeds[s]);
                if (!plan.Contains(evaluate) || !full.IsDone(plan[evaluate]) || !full.IsDone(plan[train]))
                    throw new BadInputException(folder, $"{evaluate} has not finished; finish the run (`selectbench run` with the same --out) first.");
                top1[i][s] = Json.Read<EvaluateJobKind.Result>(full.ResultPath(evaluate)).Values[BaseAccuracyMetric.Top1Key].Estimate;
                cpu += CpuSeconds(full, train);
            }
        }
        return new FullRunMeasurement(full.Root, top1, cpu);
    }

    private static ProxyResult ToResult(ProxyMeasurement m, IReadOnlyList<string> shifts, FullRunMeasurement? full, BootstrapSettings? bootstrap)
    {
        var p = m.Proxy;
        var result = new ProxyResult(p.Name, p.Family.ToString().ToLowerInvariant(), p.Description, p.LowerIsBetter, m.CpuSeconds,
            shifts.Select((shift, i) => (shift, i)).ToDictionary(x => x.shift, x => m.Values[x.i].Average()));
        if (full is null) return result;
        var oriented = m.Values.Select(v => ProxyScoring.Orient(v, p.LowerIsBetter)).ToList();
        var agreement = ProxyScoring.Score(oriented, full.Top1, bootstrap);
        return result with { CostRatio = m.CpuSeconds / full.CpuSeconds, DecisionAccuracy = agreement.DecisionAccuracy, KendallTau = agreement.KendallTau };
    }

    private static IReadOnlyList<ShiftPrediction> Shifts(IReadOnlyList<string> shifts, ProxyMeasurement ranking, FullRunMeasurement? full)
    {
        var scores = ranking.Values.Select(v => v.Average()).ToArray();
        var predicted = ProxyScoring.Ranks(ProxyScoring.Orient(scores, ranking.Proxy.LowerIsBetter));
        var fullMeans = full?.Top1.Select(v => v.Average()).ToArray();
        var fullRanks = fullMeans is null ? null : ProxyScoring.Ranks(fullMeans);
        return shifts.Select((shift, i) => new ShiftPrediction(shift, predicted[i], scores[i], fullRanks?[i], fullMeans?[i]))
            .OrderBy(s => s.PredictedRank).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>This run's scores in the form of a shipped reference run (reference-runs/&lt;name&gt;.json).</summary>
    public static ReferenceRun AsReference(string name, RunConfig config, double fullCpuSeconds, IReadOnlyList<ProxyResult> results) =>
        new(name, config.Profile is { } profile ? $"configs/run-{profile}.yaml" : config.Name, config.Hash,
            $"{DateTime.UtcNow:yyyy-MM-dd}, {Engine.MachineInfo.Current.CpuModel}", config.Curation.Shifts.Count, config.Seeds.Count, fullCpuSeconds,
            results.Where(r => r.DecisionAccuracy is not null).Select(r => new ReferenceProxy(r.Name, r.CostRatio ?? double.NaN,
                r.DecisionAccuracy!.Estimate, r.DecisionAccuracy.Low, r.DecisionAccuracy.High, r.KendallTau ?? double.NaN)).ToList());

    private static void Write(string root, PredictionReport report, RunConfig config)
    {
        AtomicFile.WriteJson(Path.Combine(root, PredictionFile), report);
        AtomicFile.WriteAllText(Path.Combine(root, MarkdownFile), Markdown(report));
        if (report.FullCpuSeconds is { } fullCpu)
            AtomicFile.WriteJson(Path.Combine(root, ReferenceFile), AsReference(config.Profile ?? config.Name, config, fullCpu, report.Proxies));
        var html = new HtmlReport($"SelectBench prediction: {report.RunName}");
        html.Section("proxies", "Predicting the ranking with cheap proxies");
        ProxyFrontierChart.Write(html, ProxyFrontierChart.Read(Path.Combine(root, PredictionFile)));
        Directory.CreateDirectory(Path.Combine(root, "report"));
        html.Save(Path.Combine(root, "report", "index.html"));
    }

    /// <summary>prediction.md: the proxy table and the predicted ranking.</summary>
    public static string Markdown(PredictionReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine($"# Prediction: {report.RunName}").AppendLine();
        md.AppendLine(report.FullRun is null
            ? "No full run was given: costs are absolute, and the ranking rests on the reference runs' record of the proxy."
            : $"Scored against the full run {report.FullRun} ({report.FullCpuSeconds!.Value.ToString("N0", inv)} CPU-s of training, " +
              $"{report.Seeds.Count} seeds). Decision accuracy: share of shift pairs ordered like full training (DataDecide, Magnusson et al. 2025), " +
              "95% percentile-bootstrap interval over seeds.");
        md.AppendLine();
        md.AppendLine("| proxy | family | CPU-s | cost (share of full) | decision accuracy [95% CI] | Kendall's tau |");
        md.AppendLine("|---|---|---:|---:|---|---:|");
        foreach (var p in report.Proxies)
            md.AppendLine($"| {p.Name} | {p.Family} | {p.CpuSeconds.ToString("N0", inv)} | {(p.CostRatio is { } c ? c.ToString("0.###", inv) : "–")} | " +
                          $"{(p.DecisionAccuracy is { } d ? $"{d.Estimate.ToString("0.##", inv)} [{d.Low.ToString("0.##", inv)}, {d.High.ToString("0.##", inv)}]" : "–")} | " +
                          $"{(p.KendallTau is { } t ? t.ToString("0.##", inv) : "–")} |");
        md.AppendLine();
        if (report.Recommendation is { } r) md.AppendLine($"Recommended: {r.Describe()}").AppendLine();
        md.AppendLine($"## Predicted ranking (by {report.RankedBy})").AppendLine();
        md.AppendLine("| predicted rank | shift | proxy score | full-run rank | full-run base top-1 |");
        md.AppendLine("|---:|---|---:|---:|---:|");
        foreach (var s in report.Shifts)
            md.AppendLine($"| {s.PredictedRank} | {s.Name} | {s.ProxyScore.ToString("0.####", inv)} | {s.FullRank?.ToString(inv) ?? "–"} | " +
                          $"{(s.FullTop1 is { } f ? f.ToString("0.####", inv) : "–")} |");
        return md.ToString();
    }
}
